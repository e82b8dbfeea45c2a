/// Where a WHIP or WHEP session lives: its id, the stream and the role it was created for.
///
/// The id alone is not an address. The engine answers only when all three match the session,
/// so a publisher's session is reachable only as a publisher of its own stream (`/whip/{stream}/`)
/// and a viewer's only as a viewer of its own (`/whep/{stream}/`); a token for one stream can
/// neither end nor restart another stream's sessions, whatever ids it has learnt.
public struct SessionAddress: Sendable, Hashable, CustomStringConvertible {
    /// The session id (128 random bits, ``SessionIdentifier``).
    public var id: String
    /// The stream named in the request's path.
    public var stream: String
    /// Publisher (`/whip/`) or viewer (`/whep/`).
    public var role: NegotiationRole

    /// Creates an address.
    public init(id: String, stream: String, role: NegotiationRole) {
        self.id = id
        self.stream = stream
        self.role = role
    }

    /// `publisher lobby/<id>`, for logs.
    public var description: String { "\(role == .publisher ? "publisher" : "viewer") \(stream)/\(id)" }
}
