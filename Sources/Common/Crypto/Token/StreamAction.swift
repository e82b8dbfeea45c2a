/// What a stream token allows: its role, the `action` claim. One token carries one role,
/// scoped to the streams its `stream` claim matches (a name, or a pattern with `*`).
public enum StreamAction: String, Sendable, Equatable, Codable, CaseIterable {
    /// Push media into the stream (WHIP) or declare it.
    case publish
    /// Watch the stream (WHEP).
    case view
    /// Record the stream: the recorder API's start and stop for the streams it matches.
    case record
    /// Manage existing sessions: end (`DELETE`) or ICE-restart (`PATCH`) any publisher's or
    /// viewer's session of the stream, as the operator of the mesh, and (scoped to `*`) call the
    /// operator API: end a session by id, revoke tokens. It neither publishes nor views.
    case `operator`
    /// Everything: every role on the streams it matches, and the operator API.
    case admin

    /// Whether a token of this role may act as `action`; with `orOperator` (a route that also
    /// takes operator tokens), an operator token may too. An admin token may do anything.
    public func grants(_ action: StreamAction, orOperator: Bool = false) -> Bool {
        self == action || self == .admin || (orOperator && self == .operator)
    }

    /// Whether this role may call the operator API (operator or admin).
    public var isOperatorRole: Bool { self == .operator || self == .admin }
}
