/// `a=group`: media sections that belong together, such as a BUNDLE group (RFC 5888 §5,
/// RFC 9143 §7).
public struct SDPGroup: Hashable, Sendable {
    /// The semantics, such as `BUNDLE` or `LS`.
    public var semantics: String
    /// The `a=mid` values of the grouped media sections, in order.
    public var mids: [String]

    /// A group from its semantics and members.
    public init(semantics: String, mids: [String]) {
        self.semantics = semantics
        self.mids = mids
    }

    init(attributeValue: Substring) throws(SDPValueError) {
        let parts = SDPText.fields(attributeValue)
        guard let semantics = parts.first else {
            throw SDPValueError("a=group has no semantics (RFC 5888 §5)")
        }
        self.semantics = String(semantics)
        mids = parts.dropFirst().map(String.init)
    }

    var attributeValue: String { ([semantics] + mids).joined(separator: " ") }
}

/// `a=msid`: the media stream and track a media section carries (RFC 8830 §2).
public struct MediaStreamID: Hashable, Sendable {
    /// The stream ID, or `-` for a track without a stream.
    public var streamID: String
    /// The application data, in WebRTC the track ID, if given.
    public var trackID: String?

    /// An msid from its stream and track IDs.
    public init(streamID: String, trackID: String? = nil) {
        self.streamID = streamID
        self.trackID = trackID
    }

    init(attributeValue: Substring) throws(SDPValueError) {
        let parts = SDPText.fields(attributeValue)
        guard parts.count == 1 || parts.count == 2 else {
            throw SDPValueError("a=msid needs '<stream id> [<track id>]' (RFC 8830 §2)")
        }
        streamID = String(parts[0])
        trackID = parts.count == 2 ? String(parts[1]) : nil
    }

    var attributeValue: String { trackID.map { "\(streamID) \($0)" } ?? streamID }
}

/// `a=msid-semantic`: the session-level msid semantics line browsers still send
/// (`a=msid-semantic: WMS *`, from the pre-RFC 8830 msid drafts).
public struct MSIDSemantic: Hashable, Sendable {
    /// The semantic token, `WMS` in practice.
    public var semantic: String
    /// The stream IDs or `*` that follow.
    public var identifiers: [String]

    /// A semantic line from its token and identifiers.
    public init(semantic: String, identifiers: [String] = []) {
        self.semantic = semantic
        self.identifiers = identifiers
    }

    init(attributeValue: Substring) throws(SDPValueError) {
        let parts = SDPText.fields(attributeValue)
        guard let semantic = parts.first else {
            throw SDPValueError("a=msid-semantic has no semantic token")
        }
        self.semantic = String(semantic)
        identifiers = parts.dropFirst().map(String.init)
    }

    var attributeValue: String { ([semantic] + identifiers).joined(separator: " ") }
}

/// `a=rtcp`: the port (and optionally address) used for RTCP when not muxed (RFC 3605 §2.1).
public struct RTCPAddress: Hashable, Sendable {
    /// The RTCP port.
    public var port: UInt16
    /// The address, when given.
    public var connection: SDPConnection?

    /// An RTCP address from its fields.
    public init(port: UInt16, connection: SDPConnection? = nil) {
        self.port = port
        self.connection = connection
    }

    init(attributeValue: Substring) throws(SDPValueError) {
        let parts = SDPText.fields(attributeValue)
        guard parts.count == 1 || parts.count == 4 else {
            throw SDPValueError("a=rtcp needs '<port> [<nettype> <addrtype> <address>]' (RFC 3605 §2.1)")
        }
        port = try SDPText.number(parts[0], "a=rtcp port")
        connection =
            parts.count == 4
            ? SDPConnection(networkType: String(parts[1]), addressType: String(parts[2]), address: String(parts[3]))
            : nil
    }

    var attributeValue: String {
        guard let connection else { return "\(port)" }
        return "\(port) \(connection.networkType) \(connection.addressType) \(connection.address)"
    }
}
