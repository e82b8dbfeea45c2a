/// What a stream token allows: the `action` claim.
public enum StreamAction: String, Sendable, Equatable, Codable, CaseIterable {
    /// Push media into the stream (WHIP) or declare it.
    case publish
    /// Watch the stream (WHEP).
    case view
}
