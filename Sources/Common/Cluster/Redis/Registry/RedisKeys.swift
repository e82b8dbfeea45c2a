/// The Redis key names of the mesh, in one place.
///
/// Ids sit inside `{...}` on purpose: that is a Redis Cluster hash tag, so `node:{e1}` and
/// `node:{e1}:reservations` land in the same slot and one Lua script may touch both.
enum RedisKeys {
    /// The set of node ids that have sent a heartbeat (pruned of expired nodes on listing).
    static let nodes = "nodes"
    /// The set of registered stream names.
    static let streams = "streams"

    /// A node's status hash; expires unless refreshed by heartbeats.
    static func node(_ id: String) -> String { "node:{\(id)}" }
    /// A node's drain marker; no expiry, so a drain survives the node's status expiring.
    static func drain(_ id: String) -> String { "node:{\(id)}:drain" }
    /// A node's death record: who noticed it was gone (`node.down`) and when; no expiry, so one
    /// claim per life, cleared when the node writes a fresh entry (its next life).
    static func death(_ id: String) -> String { "node:{\(id)}:down" }
    /// A node's pending viewer reservations: sorted set of tokens scored by expiry (ms).
    static func reservations(_ id: String) -> String { "node:{\(id)}:reservations" }
    /// A stream's record hash.
    static func stream(_ name: String) -> String { "stream:{\(name)}" }
    /// A stream's carriers: sorted set of node ids scored by expiry (ms).
    static func carriers(_ name: String) -> String { "stream:{\(name)}:carriers" }
    /// Viewers of a stream per node: hash of node id → `count:expires-at ms`, so a dead node's
    /// figure stops counting when it is no longer refreshed.
    static func streamViewers(_ name: String) -> String { "stream:{\(name)}:viewers" }
    /// Redirects a client (`address:…` or `token:…`) has not followed yet: sorted set of grant
    /// ids scored by expiry (ms).
    static func redirects(_ holder: String) -> String { "redirects:{\(holder)}" }
    /// Which streams are published and until when: sorted set of stream names scored by the
    /// claim's expiry (ms). One hash tag for the mesh, so one script counts and claims at once.
    static let publisherClaims = "publishers:{mesh}"
    /// The origin holding each claim in ``publisherClaims``: hash of stream name → node id.
    static let publisherOrigins = "publishers:{mesh}:origins"
}

extension Duration {
    /// Whole milliseconds, rounded down, for `PEXPIRE` and sorted-set scores.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

extension Array where Element == RedisReply {
    /// Throws the first error reply of a pipeline, so callers see Redis's text.
    func throwingFirstError() throws(RedisError) -> [RedisReply] {
        for reply in self {
            if case .error(let text) = reply { throw .server(text) }
        }
        return self
    }
}
