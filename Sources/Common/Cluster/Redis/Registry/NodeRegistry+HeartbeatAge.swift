extension NodeRegistry {
    /// Milliseconds since each node's entry was last refreshed by its heartbeat: the entry's
    /// TTL less what is left of it (`PTTL`), both on Redis's clock, so clock skew between
    /// nodes does not matter. Ids whose entry has expired are left out.
    public func heartbeatAges(ids: [String]) async throws(RedisError) -> [String: UInt64] {
        guard !ids.isEmpty else { return [:] }
        let replies = try await client.pipeline(ids.map { ["PTTL", RedisKeys.node($0)] }).throwingFirstError()
        let ttl = ttl.wholeMilliseconds
        var ages: [String: UInt64] = [:]
        for (id, reply) in zip(ids, replies) {
            guard let left = reply.int, left >= 0 else { continue }
            ages[id] = UInt64(max(ttl - left, 0))
        }
        return ages
    }
}
