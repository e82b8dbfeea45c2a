/// The integrated TURN server's listeners on one node (RFC 8656), bound on the node's media
/// host. Only origins and edges run TURN.
///
/// Written `turn: {udp: 3478, tcp: 3478, tls: {port: 5349, cert: FILE, key: FILE},
/// relay_ports: 49152-49999, relay_to: self, allow_peers: [127.0.0.0/8]}`; every listener is
/// optional but at least one is given. `relay_to: open` relays to peers other than this node's
/// own media (issue 13: the deny list still applies, `allow_peers` opens ranges of it).
public struct TURNListeners: Sendable, Equatable, Codable {
    /// The UDP listener's port, if TURN over UDP is offered.
    public var udpPort: UInt16?
    /// The TCP listener's port, if TURN over TCP is offered.
    public var tcpPort: UInt16?
    /// The TLS listener, if TURN over TLS is offered.
    public var tls: TURNTLSListener?
    /// The UDP ports allocations relay from; `nil` lets the server pick ephemeral ports.
    public var relayPorts: PortRange?
    /// `true` for `relay_to: open`; `nil` or `false` relays only to this node's own media.
    public var relayToAnyPeer: Bool?
    /// Ranges relayed to in open mode although the deny list covers them (tests, private nets).
    public var allowPeers: [CIDRBlock]?

    /// Creates a set of listeners.
    public init(
        udpPort: UInt16? = nil, tcpPort: UInt16? = nil, tls: TURNTLSListener? = nil, relayPorts: PortRange? = nil
    ) {
        self.udpPort = udpPort
        self.tcpPort = tcpPort
        self.tls = tls
        self.relayPorts = relayPorts
    }
}

/// TURN over TLS: a TCP port and the certificate and key files the node presents.
///
/// Paths are read by the node process, so a relative path is relative to its working
/// directory; the topology never holds the key itself.
public struct TURNTLSListener: Sendable, Equatable, Codable {
    /// The TCP port, usually 5349.
    public var port: UInt16
    /// The PEM certificate chain file.
    public var certificatePath: String
    /// The PEM private key file.
    public var keyPath: String

    /// Creates a TLS listener.
    public init(port: UInt16, certificatePath: String, keyPath: String) {
        self.port = port
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }
}
