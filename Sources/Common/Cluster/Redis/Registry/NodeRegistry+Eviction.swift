extension NodeRegistry {
    /// What ``evict(id:staleAfter:)`` did.
    public enum Eviction: Sendable, Equatable {
        /// The node's status and reservations were removed: placement stops choosing it now.
        case evicted
        /// The node refreshed its status lately, so its process is alive: it was kept.
        case refreshedLately
        /// The node had no status (already expired or removed).
        case unknown
    }

    /// Removes a node whose relay link went silent, if its status is stale too.
    ///
    /// Age of the last refresh = `ttlMs` (written by each heartbeat) minus the remaining time to
    /// live, both on Redis's clock, so clock skew between nodes does not matter. An entry
    /// without `ttlMs` (written by an older build) is left to expire.
    /// The caller takes the id out of the `nodes` set afterwards (another Cluster slot).
    /// KEYS (``evictionKeys(_:)``): node hash, reservations. ARGV: id, stale-after ms.
    /// Returns 1 evicted, 0 refreshed lately, -1 unknown.
    static let evictScript = RedisScript(
        """
        local ttl = tonumber(redis.call('HGET', KEYS[1], 'ttlMs'))
        local left = redis.call('PTTL', KEYS[1])
        if not ttl or left < 0 then return -1 end
        if ttl - left < tonumber(ARGV[2]) then return 0 end
        redis.call('DEL', KEYS[1], KEYS[2])
        return 1
        """)

    /// The keys of ``evictScript``, both tagged `{id}`.
    static func evictionKeys(_ id: String) -> [String] {
        [RedisKeys.node(id), RedisKeys.reservations(id)]
    }

    /// Takes node `id` out of the registry, with its pending reservations, when it has not
    /// refreshed its status for `staleAfter`: called by a node whose relay link with `id` went
    /// silent. Both signs together mean the process is gone; a live node whose link is merely
    /// broken keeps refreshing and is kept. Evicting a node that is alive after all costs it
    /// one refresh interval out of placement: its next heartbeat finds its entry gone and
    /// writes it whole again.
    public func evict(id: String, staleAfter: Duration = NodeRegistry.staleAfter) async throws(RedisError)
        -> Eviction
    {
        let reply = try await client.run(
            Self.evictScript, keys: Self.evictionKeys(id), arguments: [id, String(staleAfter.wholeMilliseconds)])
        switch reply.int {
        case 1:
            _ = try await client.command(["SREM", RedisKeys.nodes, id])
            return .evicted
        case 0: return .refreshedLately
        case -1: return .unknown
        default: throw .unexpectedReply("eviction script answered \(reply)")
        }
    }
}
