/// The live list of nodes in Redis: each node's `node:{id}` hash, refreshed by its heartbeat
/// every ``refreshInterval`` and expiring ``defaultTTL`` after the node stops (crash, partition),
/// so placement stops choosing a dead node within about a second and a half even when nobody
/// sees it die. Link ends that hear a peer fall silent remove it sooner (``evict(id:)``).
public struct NodeRegistry: Sendable {
    /// The client the registry talks through.
    public let client: RedisClient
    /// How long a status lives without a new heartbeat.
    public let ttl: Duration

    /// How often a node refreshes its entry. Four refreshes a second, but only a change of
    /// status rewrites the hash (the load is sampled once a second); the others only push the
    /// expiry back (``touchScript``).
    public static let refreshInterval = Duration.milliseconds(250)
    /// How long an entry lives without a refresh: six refresh intervals, so a node whose
    /// heartbeat is late by over a second on a loaded machine still stays listed, while a dead
    /// node drops out of placement 1.25-1.5 s after its last refresh.
    public static let defaultTTL = Duration.milliseconds(1500)
    /// An entry not refreshed for this long belongs to a node that missed a refresh: two
    /// intervals, so a live node on schedule is never stale. ``evict(id:)`` removes only stale
    /// entries.
    public static let staleAfter = refreshInterval * 2

    /// Writes status fields, keeps the drain marker's verdict, refreshes the expiry and lists
    /// the node, in one atomic step. The hash's `draining` is the marker's verdict or the
    /// status's own `stopping` (a node asked to stop drains itself); the script returns the
    /// marker's verdict alone (1: drained by the operator), which the node logs.
    ///
    /// An entry written afresh (the node is new, restarted, came back after expiring, or Redis
    /// restarted) starts with no reservations: those were taken for a node that was gone, and
    /// their viewers will not arrive; and without a death record: a new life may die again. `ttlMs` lets ``evictScript`` tell how long ago the entry
    /// was refreshed from its remaining time to live, on Redis's own clock.
    /// The node is listed in the `nodes` set by an `SADD` sent behind the script in the same
    /// round trip (``list(_:)``): that set is one key for every node, so on a Redis Cluster it
    /// lives in another slot than the node's keys.
    /// KEYS (``nodeKeys(_:)``): node hash, drain marker, reservations, death record. ARGV: ttl
    /// ms, id, field/value pairs...
    static let heartbeatScript = RedisScript(
        """
        if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('DEL', KEYS[3], KEYS[4]) end
        redis.call('HSET', KEYS[1], 'ttlMs', ARGV[1], unpack(ARGV, 3))
        local marked = redis.call('EXISTS', KEYS[2])
        local draining = marked
        if redis.call('HGET', KEYS[1], 'stopping') == '1' then draining = 1 end
        redis.call('HSET', KEYS[1], 'draining', draining)
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return marked
        """)

    /// Refreshes the expiry of an unchanged status without rewriting it. Returns -1 when the
    /// entry is gone (expired, evicted, Redis restarted): the caller writes the whole status.
    /// Else 1 when the node is draining, 0 when not. The `SADD` sent behind it changes nothing
    /// while the id is listed; it relists a node whose id a concurrent `nodes()` pruned while it
    /// re-registered. (After -1 it lists an id with no entry until the whole write a moment
    /// later; a `nodes()` in between prunes it, as it prunes any expired id.)
    /// KEYS: node hash, drain marker. ARGV: ttl ms.
    static let touchScript = RedisScript(
        """
        if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then return -1 end
        return redis.call('EXISTS', KEYS[2])
        """)

    /// Sets or clears the drain marker and the live flag (which stays set while the node is
    /// stopping). Returns 1 if the node is known.
    /// KEYS: node hash, drain marker. ARGV: "1" to drain, "0" to undrain.
    static let drainScript = RedisScript(
        """
        if ARGV[1] == '1' then
          redis.call('SET', KEYS[2], '1')
        else
          redis.call('DEL', KEYS[2])
        end
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        local draining = ARGV[1]
        if redis.call('HGET', KEYS[1], 'stopping') == '1' then draining = '1' end
        redis.call('HSET', KEYS[1], 'draining', draining)
        return 1
        """)

    /// A registry over `client`; statuses expire `ttl` after their last heartbeat
    /// (``defaultTTL``).
    public init(client: RedisClient, ttl: Duration = NodeRegistry.defaultTTL) {
        self.client = client
        self.ttl = ttl
    }

    /// Publishes `status` and refreshes its expiry; returns whether the mesh wants the node
    /// drained (an operator may set that from outside with `setDraining(id:)`).
    @discardableResult
    public func heartbeat(_ status: NodeStatus) async throws(RedisError) -> Bool {
        let reply = try await client.run(
            Self.heartbeatScript, keys: Self.nodeKeys(status.id),
            arguments: [String(ttl.wholeMilliseconds), status.id] + status.heartbeatFields, then: [list(status.id)])
        return reply.int == 1
    }

    /// The keys of ``heartbeatScript``, all tagged `{id}`: one Cluster slot.
    static func nodeKeys(_ id: String) -> [String] {
        [RedisKeys.node(id), RedisKeys.drain(id), RedisKeys.reservations(id), RedisKeys.death(id)]
    }

    /// Lists `id` in the `nodes` set: sent behind each write or refresh of its status, in the
    /// same round trip.
    private func list(_ id: String) -> [String] {
        ["SADD", RedisKeys.nodes, id]
    }

    /// Pushes back the expiry of node `id`'s status without rewriting it. Returns whether the
    /// node is draining, or `nil` when its status is gone and must be written whole.
    public func touch(id: String) async throws(RedisError) -> Bool? {
        let reply = try await client.run(
            Self.touchScript, keys: Self.drainKeys(id), arguments: [String(ttl.wholeMilliseconds)], then: [list(id)])
        guard let verdict = reply.int else { throw .unexpectedReply("heartbeat refresh answered \(reply)") }
        return verdict < 0 ? nil : verdict == 1
    }

    /// Every node with a live status, sorted by id. Ids whose status expired are pruned, and
    /// their pending reservations dropped: no viewer sent to a dead node arrives.
    public func nodes() async throws(RedisError) -> [NodeStatus] {
        guard let members = try await client.command(["SMEMBERS", RedisKeys.nodes]).array else {
            throw .unexpectedReply("SMEMBERS \(RedisKeys.nodes) is not an array")
        }
        let ids = members.compactMap(\.string).sorted()
        guard !ids.isEmpty else { return [] }
        let replies = try await client.pipeline(ids.map { ["HGETALL", RedisKeys.node($0)] }).throwingFirstError()
        var statuses: [NodeStatus] = []
        var expired: [String] = []
        for (id, reply) in zip(ids, replies) {
            let fields = try reply.fieldMap()
            if fields.isEmpty {
                expired.append(id)
            } else if let status = NodeStatus(id: id, fields: fields) {
                statuses.append(status)
            }
        }
        if !expired.isEmpty {
            let drops = expired.map { ["DEL", RedisKeys.reservations($0)] }
            _ = try await client.pipeline([["SREM", RedisKeys.nodes] + expired] + drops).throwingFirstError()
        }
        return statuses
    }

    /// One node's live status, or nil when it has expired or never registered.
    public func node(id: String) async throws(RedisError) -> NodeStatus? {
        let fields = try await client.command(["HGETALL", RedisKeys.node(id)]).fieldMap()
        return fields.isEmpty ? nil : NodeStatus(id: id, fields: fields)
    }

    /// Marks a node as draining (or not): it takes no new viewers. The mark outlives the
    /// node's status expiring. Returns false when the node has no live status now.
    @discardableResult
    public func setDraining(id: String, _ draining: Bool = true) async throws(RedisError) -> Bool {
        let reply = try await client.run(
            Self.drainScript, keys: Self.drainKeys(id), arguments: [draining ? "1" : "0"])
        return reply.int == 1
    }

    /// The keys of ``touchScript`` and ``drainScript``: the node's hash and drain marker.
    static func drainKeys(_ id: String) -> [String] {
        [RedisKeys.node(id), RedisKeys.drain(id)]
    }

    /// Removes a node at once (graceful shutdown) instead of waiting for its expiry.
    public func remove(id: String) async throws(RedisError) {
        _ = try await client.pipeline([
            ["DEL", RedisKeys.node(id), RedisKeys.reservations(id)], ["SREM", RedisKeys.nodes, id],
        ]).throwingFirstError()
    }
}
