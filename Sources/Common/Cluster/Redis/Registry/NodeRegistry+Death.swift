extension NodeRegistry {
    /// A node's death as the registry records it: who noticed and when.
    public struct DeathRecord: Sendable, Equatable {
        /// The node that claimed the death (and reported `node.down`), or the node itself when it stopped.
        public var claimant: String
        /// When, in milliseconds since 1970 on the claimant's clock.
        public var time: UInt64

        /// A record from its parts.
        public init(claimant: String, time: UInt64) {
            self.claimant = claimant
            self.time = time
        }
    }

    /// Claims the death of a node whose entry is gone: the first caller per life wins.
    /// KEYS (``deathKeys(_:)``): node hash, death record. ARGV: claimant, time ms.
    /// Returns 1 claimed here, 0 the node is registered (alive again, or never gone), -1 claimed
    /// already (by another node, or by the node itself on a clean stop).
    static let deathClaimScript = RedisScript(
        """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        if redis.call('SET', KEYS[2], ARGV[1] .. ' ' .. ARGV[2], 'NX') then return 1 end
        return -1
        """)

    /// The keys of ``deathClaimScript``, both tagged `{id}`: one Cluster slot.
    static func deathKeys(_ id: String) -> [String] {
        [RedisKeys.node(id), RedisKeys.death(id)]
    }

    /// Claims the death of node `id` for `claimant`: true when this call is the one across the
    /// mesh that reports it (`node.down`), false when `id` is registered or another claimed it.
    public func claimDeath(of id: String, by claimant: String, at time: UInt64) async throws(RedisError) -> Bool {
        let reply = try await client.run(
            Self.deathClaimScript, keys: Self.deathKeys(id), arguments: [claimant, String(time)])
        guard let verdict = reply.int else { throw .unexpectedReply("death claim answered \(reply)") }
        return verdict == 1
    }

    /// Node `id` stops cleanly and reports its own `node.down`: its death record, written
    /// unconditionally, tells the nodes that notice its entry expire that it was reported.
    public func recordStop(of id: String, at time: UInt64) async throws(RedisError) {
        _ = try await client.command(["SET", RedisKeys.death(id), "\(id) \(time)"])
    }

    /// Node `id`'s death record, or `nil` while it lives (or never died).
    public func deathRecord(of id: String) async throws(RedisError) -> DeathRecord? {
        guard let text = try await client.command(["GET", RedisKeys.death(id)]).string else { return nil }
        let parts = text.split(separator: " ")
        guard parts.count == 2, let time = UInt64(parts[1]) else {
            throw .unexpectedReply("death record of \(id) is '\(text)'")
        }
        return DeathRecord(claimant: String(parts[0]), time: time)
    }
}
