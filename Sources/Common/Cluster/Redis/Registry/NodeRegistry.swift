/// The live list of nodes in Redis: each node's `node:{id}` hash, refreshed by its heartbeat
/// every second and expiring a few seconds after the node stops (crash, partition).
public struct NodeRegistry: Sendable {
    /// The client the registry talks through.
    public let client: RedisClient
    /// How long a status lives without a new heartbeat.
    public let ttl: Duration

    /// Writes status fields, keeps the drain marker's verdict, refreshes the expiry and lists
    /// the node, in one atomic step. Returns 1 when the node is draining.
    /// KEYS: node hash, drain marker, nodes set. ARGV: ttl ms, id, field/value pairs...
    static let heartbeatScript = RedisScript(
        """
        redis.call('HSET', KEYS[1], unpack(ARGV, 3))
        local draining = 0
        if redis.call('EXISTS', KEYS[2]) == 1 then draining = 1 end
        redis.call('HSET', KEYS[1], 'draining', draining)
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        redis.call('SADD', KEYS[3], ARGV[2])
        return draining
        """)

    /// Sets or clears the drain marker and the live flag. Returns 1 if the node is known.
    /// KEYS: node hash, drain marker. ARGV: "1" to drain, "0" to undrain.
    static let drainScript = RedisScript(
        """
        if ARGV[1] == '1' then
          redis.call('SET', KEYS[2], '1')
        else
          redis.call('DEL', KEYS[2])
        end
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], 'draining', ARGV[1])
        return 1
        """)

    /// A registry over `client`; statuses expire `ttl` after their last heartbeat (5 s default).
    public init(client: RedisClient, ttl: Duration = .seconds(5)) {
        self.client = client
        self.ttl = ttl
    }

    /// Publishes `status` and refreshes its expiry; returns whether the mesh wants the node
    /// drained (an operator may set that from outside with `setDraining(id:)`).
    @discardableResult
    public func heartbeat(_ status: NodeStatus) async throws(RedisError) -> Bool {
        let reply = try await client.run(
            Self.heartbeatScript,
            keys: [RedisKeys.node(status.id), RedisKeys.drain(status.id), RedisKeys.nodes],
            arguments: [String(ttl.wholeMilliseconds), status.id] + status.heartbeatFields)
        return reply.int == 1
    }

    /// Every node with a live status, sorted by id. Ids whose status expired are pruned.
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
            _ = try await client.command(["SREM", RedisKeys.nodes] + expired)
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
            Self.drainScript, keys: [RedisKeys.node(id), RedisKeys.drain(id)], arguments: [draining ? "1" : "0"])
        return reply.int == 1
    }

    /// Removes a node at once (graceful shutdown) instead of waiting for its expiry.
    public func remove(id: String) async throws(RedisError) {
        _ = try await client.pipeline([
            ["DEL", RedisKeys.node(id), RedisKeys.reservations(id)], ["SREM", RedisKeys.nodes, id],
        ]).throwingFirstError()
    }
}
