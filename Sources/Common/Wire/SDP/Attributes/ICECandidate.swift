/// `a=candidate`: one ICE candidate (RFC 8839 §5.1).
///
/// `a=candidate:1 1 UDP 2130706431 192.0.2.1 5000 typ srflx raddr 10.0.1.1 rport 8998`
/// has foundation `1`, component 1, and a server-reflexive address with its base.
public struct ICECandidate: Hashable, Sendable {
    /// The candidate type after `typ` (RFC 8839 §5.1, `cand-type`).
    public enum Kind: Hashable, Sendable {
        /// A local interface address.
        case host
        /// An address seen by a STUN server.
        case serverReflexive
        /// An address learned from a peer's connectivity check.
        case peerReflexive
        /// A TURN relay address.
        case relayed
        /// A type this parser does not know, kept as written.
        case other(String)

        init(_ text: Substring) {
            switch text {
            case "host": self = .host
            case "srflx": self = .serverReflexive
            case "prflx": self = .peerReflexive
            case "relay": self = .relayed
            default: self = .other(String(text))
            }
        }

        /// The token written after `typ`.
        public var token: String {
            switch self {
            case .host: "host"
            case .serverReflexive: "srflx"
            case .peerReflexive: "prflx"
            case .relayed: "relay"
            case .other(let token): token
            }
        }
    }

    /// An extension name/value pair after the fixed fields, such as `generation 0`.
    public struct Extension: Hashable, Sendable {
        /// The extension attribute name.
        public var name: String
        /// Its value.
        public var value: String

        /// An extension pair.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Candidates with the same foundation share a base and a server (1–32 ice-chars).
    public var foundation: String
    /// 1 for RTP, 2 for RTCP when not muxed.
    public var component: UInt16
    /// The transport as written, `udp`/`UDP` or `tcp` (compare case-insensitively).
    public var transport: String
    /// The ICE priority (RFC 8445 §5.1.2).
    public var priority: UInt32
    /// The address: IPv4, IPv6, or an mDNS `.local` name.
    public var address: String
    /// The port.
    public var port: UInt16
    /// The candidate type.
    public var kind: Kind
    /// `raddr`: the related address (base or relay source), when given.
    public var relatedAddress: String?
    /// `rport`: the related port, when given.
    public var relatedPort: UInt16?
    /// `tcptype`: `active`, `passive` or `so` for TCP candidates (RFC 6544 §4.5).
    public var tcpType: String?
    /// Further name/value pairs in order, such as `generation 0 ufrag EsAw network-id 1`.
    public var extensions: [Extension]

    /// A candidate from its fields.
    public init(
        foundation: String, component: UInt16, transport: String, priority: UInt32,
        address: String, port: UInt16, kind: Kind, relatedAddress: String? = nil,
        relatedPort: UInt16? = nil, tcpType: String? = nil, extensions: [Extension] = []
    ) {
        self.foundation = foundation
        self.component = component
        self.transport = transport
        self.priority = priority
        self.address = address
        self.port = port
        self.kind = kind
        self.relatedAddress = relatedAddress
        self.relatedPort = relatedPort
        self.tcpType = tcpType
        self.extensions = extensions
    }

    /// Parses a candidate as JavaScript's `RTCIceCandidate.candidate` carries it:
    /// `candidate:<foundation> ...`, with or without the leading `a=`.
    public init(parsing text: String) throws(SDPParseError) {
        var value = Substring(text)
        if value.hasPrefix("a=") { value = value.dropFirst(2) }
        guard value.hasPrefix("candidate:") else {
            throw SDPParseError(line: 1, reason: "a candidate must start with 'candidate:' (RFC 8839 §5.1)")
        }
        do throws(SDPValueError) {
            try self.init(attributeValue: value.dropFirst("candidate:".count))
        } catch {
            throw error.at(line: 1)
        }
    }

    init(attributeValue: Substring) throws(SDPValueError) {
        let parts = SDPText.fields(attributeValue)
        guard parts.count >= 8, parts[6] == "typ" else {
            throw SDPValueError(
                "a=candidate needs '<foundation> <component> <transport> <priority> <address> <port> typ <type>' (RFC 8839 §5.1)"
            )
        }
        foundation = String(parts[0])
        component = try SDPText.number(parts[1], "a=candidate component ID")
        transport = String(parts[2])
        priority = try SDPText.number(parts[3], "a=candidate priority")
        address = String(parts[4])
        port = try SDPText.number(parts[5], "a=candidate port")
        kind = Kind(parts[7])
        relatedAddress = nil
        relatedPort = nil
        tcpType = nil
        extensions = []
        var index = 8
        while index < parts.count {
            guard index + 1 < parts.count else {
                throw SDPValueError("a=candidate extension '\(parts[index])' has no value (RFC 8839 §5.1)")
            }
            let name = parts[index]
            let value = parts[index + 1]
            switch name {
            case "raddr": relatedAddress = String(value)
            case "rport": relatedPort = try SDPText.number(value, "a=candidate rport")
            case "tcptype": tcpType = String(value)
            default: extensions.append(Extension(name: String(name), value: String(value)))
            }
            index += 2
        }
    }

    /// The attribute value, everything after `candidate:`.
    public var attributeValue: String {
        var parts = [foundation, "\(component)", transport, "\(priority)", address, "\(port)", "typ", kind.token]
        if let relatedAddress { parts += ["raddr", relatedAddress] }
        if let relatedPort { parts += ["rport", "\(relatedPort)"] }
        if let tcpType { parts += ["tcptype", tcpType] }
        for item in extensions { parts += [item.name, item.value] }
        return parts.joined(separator: " ")
    }
}
