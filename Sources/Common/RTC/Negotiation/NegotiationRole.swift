/// Which side of the node an offer comes from.
public enum NegotiationRole: Sendable, Hashable {
    /// A WHIP publisher (RFC 9725): it sends, the node answers `recvonly`.
    case publisher
    /// A WHEP viewer (draft-ietf-wish-whep): it receives, the node answers `sendonly`.
    case viewer
}
