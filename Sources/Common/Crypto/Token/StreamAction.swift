/// What a stream token allows: the `action` claim.
public enum StreamAction: String, Sendable, Equatable, Codable, CaseIterable {
    /// Push media into the stream (WHIP) or declare it.
    case publish
    /// Watch the stream (WHEP).
    case view
    /// Manage existing sessions: end (`DELETE`) or ICE-restart (`PATCH`) any publisher's or
    /// viewer's session of the stream, as the operator of the mesh. It neither publishes nor
    /// views. `meshcast token --operator` mints it for every stream (`*`).
    case `operator`
}
