/// The `m=` line that opens a media section (RFC 8866 §5.14).
///
/// `m=video 9 UDP/TLS/RTP/SAVPF 96 97` is video on port 9 over DTLS-SRTP with payload
/// types 96 and 97; `m=application 9 UDP/DTLS/SCTP webrtc-datachannel` is a data channel.
public struct MediaLine: Hashable, Sendable {
    /// `audio`, `video`, `application`, `text` or `message`.
    public var media: String
    /// The transport port (9, the discard port, when ICE picks the real one; 0 to reject).
    public var port: UInt16
    /// The `/<number of ports>` suffix, when given.
    public var portCount: UInt16?
    /// The transport protocol, such as `UDP/TLS/RTP/SAVPF` or `UDP/DTLS/SCTP`.
    public var proto: String
    /// The media formats: RTP payload types as text for RTP protocols, otherwise tokens
    /// such as `webrtc-datachannel`.
    public var formats: [String]

    /// A media line from its fields.
    public init(media: String, port: UInt16, portCount: UInt16? = nil, proto: String, formats: [String]) {
        self.media = media
        self.port = port
        self.portCount = portCount
        self.proto = proto
        self.formats = formats
    }

    /// Whether the protocol carries RTP, so formats are payload types (RFC 8866 §5.14).
    public var isRTP: Bool { proto.uppercased().contains("RTP/") }

    /// The formats as RTP payload types; empty for non-RTP protocols.
    public var payloadTypes: [UInt8] {
        isRTP ? formats.compactMap { UInt8($0) } : []
    }

    init(lineValue: Substring) throws(SDPValueError) {
        let parts = SDPText.fields(lineValue)
        guard parts.count >= 4 else {
            throw SDPValueError("m= needs '<media> <port> <proto> <fmt> ...' with at least one format (RFC 8866 §5.14)")
        }
        media = String(parts[0])
        let (portText, countText) = SDPText.splitOnce(parts[1], at: "/")
        port = try SDPText.number(portText, "m= port")
        portCount = try countText.map { (text) throws(SDPValueError) -> UInt16 in
            try SDPText.number(text, "m= number of ports")
        }
        proto = String(parts[2])
        formats = parts.dropFirst(3).map(String.init)
        if isRTP {
            for format in parts.dropFirst(3) {
                _ = try SDPText.payloadType(format)
            }
        }
    }

    var lineValue: String {
        let portText = portCount.map { "\(port)/\($0)" } ?? "\(port)"
        return ([media, portText, proto] + formats).joined(separator: " ")
    }
}
