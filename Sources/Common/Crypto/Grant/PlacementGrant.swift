/// What a placement redirect hands the chosen node: "serve this client, for this stream and
/// kind, until then". Signed with a key derived from the cluster secret (``PlacementGrantSigner``)
/// so that a client can neither forge one nor move it to another node, stream or action; the node
/// that redeems it remembers its ``id`` until it expires, so it is good once.
public struct PlacementGrant: Sendable, Equatable, Codable {
    /// The node chosen to serve the client.
    public var node: String
    /// The stream the client asked for.
    public var stream: String
    /// What the client may do there: publish (WHIP) or view (WHEP).
    public var action: StreamAction
    /// A random id: the reservation's token in Redis when a slot was reserved, and the key the
    /// redeeming node remembers to refuse a second use.
    public var id: String
    /// Whether a capacity slot on ``node`` was reserved under ``id``.
    public var reserved: Bool
    /// Wall-clock milliseconds since 1970 after which the grant is void.
    public var expiresAt: UInt64
    /// The Redis keys of the client's outstanding-redirect counts that hold ``id`` (by address
    /// and by token), released when the grant is redeemed.
    public var holders: [String]

    /// A grant from its parts.
    public init(
        node: String, stream: String, action: StreamAction, id: String, reserved: Bool, expiresAt: UInt64,
        holders: [String] = []
    ) {
        self.node = node
        self.stream = stream
        self.action = action
        self.id = id
        self.reserved = reserved
        self.expiresAt = expiresAt
        self.holders = holders
    }
}
