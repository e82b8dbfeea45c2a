/// The node's integrated TURN server as the HTTP side sees it: its `/metrics` lines and its
/// live allocations for `GET /v1/turn`. The server runs on a media loop; each call hops there.
public protocol TURNStatusSource: Sendable {
    /// Prometheus text lines (`meshcast_turn_*`), each ending in a newline.
    func prometheusText() async -> String
    /// The live allocations, oldest first.
    func allocations() async -> [TURNAllocationListing]
}

/// One live TURN allocation in `GET /v1/turn`.
public struct TURNAllocationListing: Codable, Sendable, Equatable {
    /// The USERNAME that created it (`expiry:session id`).
    public var username: String
    /// `udp`, `tcp` or `tls`.
    public var transport: String
    /// The client's address as the server sees it (`ip:port`, `[ip]:port`).
    public var client: String
    /// The relayed transport address.
    public var relayed: String
    /// Unix milliseconds when it opened.
    public var openedAtMs: Int64
    /// Unix milliseconds when it expires unless refreshed.
    public var expiresAtMs: Int64
    /// Peer IPs with a live permission.
    public var permissions: Int
    /// Bound channels.
    public var channels: Int
    /// Payload bytes relayed from the client to peers.
    public var bytesFromClient: Int64
    /// Payload bytes relayed from peers to the client.
    public var bytesToClient: Int64
    /// Packets dropped by the bandwidth cap.
    public var dropped: Int64

    /// A listing from its fields.
    public init(
        username: String, transport: String, client: String, relayed: String, openedAtMs: Int64,
        expiresAtMs: Int64, permissions: Int, channels: Int, bytesFromClient: Int64, bytesToClient: Int64,
        dropped: Int64
    ) {
        self.username = username
        self.transport = transport
        self.client = client
        self.relayed = relayed
        self.openedAtMs = openedAtMs
        self.expiresAtMs = expiresAtMs
        self.permissions = permissions
        self.channels = channels
        self.bytesFromClient = bytesFromClient
        self.bytesToClient = bytesToClient
        self.dropped = dropped
    }
}
