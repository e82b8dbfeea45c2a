/// One state-changing call, as the audit log keeps it (issue 15, item 5): who (the token's
/// subject and key id), what, to what, from where, which request, how it ended, and when.
public struct AuditRecord: Sendable, Equatable, Codable {
    /// When, in milliseconds since 1970.
    public var time: Int64
    /// The token's `sub`, `cli:<user>` for a `meshcast` command run with the mesh's secrets, or
    /// `-` for a token minted without one.
    public var actor: String
    /// The `kid` of the key that signed the token; `-` for the primary secret or no token.
    public var keyID: String
    /// What was done: `publish.start`, `publish.end`, `session.end`, `stream.declare`,
    /// `token.revoke`, `node.drain`, `node.undrain`, `topology.apply`.
    public var action: String
    /// What it was done to: `stream/<name>`, `whip/<stream>/<session>`, `whep/<stream>/<session>`,
    /// `session/<id>`, `token/<jti>`, `node/<id>`, `topology/<name>`.
    public var target: String
    /// The client address (`ip:port`), or `local` for a command.
    public var client: String
    /// The request id (the client's `X-Request-ID`, else one the node made up).
    public var requestID: String
    /// How it ended: the HTTP status and a short reason (`201 created`, `403 ...`), or `ok`.
    public var result: String
    /// The node that handled it, or `cli`.
    public var node: String

    /// Creates a record.
    public init(
        time: Int64, actor: String, keyID: String, action: String, target: String, client: String,
        requestID: String, result: String, node: String
    ) {
        self.time = time
        self.actor = actor
        self.keyID = keyID
        self.action = action
        self.target = target
        self.client = client
        self.requestID = requestID
        self.result = result
        self.node = node
    }

    /// The stream entry's field/value pairs, in a fixed order.
    var fields: [String] {
        [
            "time", String(time), "actor", actor, "kid", keyID, "action", action, "target", target, "client", client,
            "request", requestID, "result", result, "node", node,
        ]
    }

    /// A record from a stream entry's fields; `nil` when one is missing or `time` is no number.
    init?(fields: [String: String]) {
        guard let time = fields["time"].flatMap(Int64.init), let actor = fields["actor"], let keyID = fields["kid"],
            let action = fields["action"], let target = fields["target"], let client = fields["client"],
            let requestID = fields["request"], let result = fields["result"], let node = fields["node"]
        else { return nil }
        self.init(
            time: time, actor: actor, keyID: keyID, action: action, target: target, client: client,
            requestID: requestID, result: result, node: node)
    }
}
