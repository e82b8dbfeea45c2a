/// The node's side of the transport, written into the answer.
public struct LocalTransport: Sendable, Hashable {
    /// Our `a=ice-ufrag` (4 to 256 ice-chars, RFC 8839 §5.4).
    public var ufrag: String
    /// Our `a=ice-pwd` (22 to 256 ice-chars).
    public var password: String
    /// Our certificate fingerprint, `sha-256 AB:...` as `CertificateFingerprint.sdpValue` gives it.
    public var fingerprint: String
    /// The host candidates the node listens on, the preferred first.
    public var candidates: [LocalCandidate]

    /// A transport from its fields.
    public init(ufrag: String, password: String, fingerprint: String, candidates: [LocalCandidate]) {
        self.ufrag = ufrag
        self.password = password
        self.fingerprint = fingerprint
        self.candidates = candidates
    }
}

/// One host address the node's worker listens on.
public struct LocalCandidate: Sendable, Hashable {
    /// The transport of a candidate.
    public enum Transport: Sendable, Hashable {
        /// UDP.
        case udp
        /// ICE-TCP, passive: the node accepts the connection (RFC 6544 §4.5).
        case tcpPassive
    }

    /// The IPv4 or IPv6 address, as announced.
    public var ip: String
    /// The port.
    public var port: UInt16
    /// UDP or passive TCP.
    public var transport: Transport

    /// A candidate from its fields.
    public init(ip: String, port: UInt16, transport: Transport = .udp) {
        self.ip = ip
        self.port = port
        self.transport = transport
    }
}
