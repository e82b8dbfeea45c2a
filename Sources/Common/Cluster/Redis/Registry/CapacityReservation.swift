/// Reserves viewer slots on edges atomically, so two placements deciding at once can never
/// overbook a node: a Lua script checks and takes the slot in one step inside Redis.
///
/// A slot counts against `capSessions` from the moment placement answers `307` until the
/// viewer's session appears in the edge's heartbeat `sessions`; the edge then releases it.
/// A reservation nobody releases (the viewer never arrived) expires after `ttl`.
public struct CapacityReservation: Sendable {
    /// Why a reservation was refused.
    public enum Refusal: String, Sendable, Equatable {
        /// The node has no live status (expired, never registered).
        case unknownNode = "unknown-node"
        /// The node is being drained.
        case draining
        /// Sessions plus pending reservations already reach its capacity.
        case full
    }

    /// The answer to `reserve`.
    public enum Outcome: Sendable, Equatable {
        /// The slot is held; `pending` is the node's reservation count including this one.
        case reserved(pending: Int)
        /// No slot was taken.
        case refused(Refusal)
    }

    /// KEYS: node hash, reservations set. ARGV: token, now ms, expires-at ms, ttl ms.
    /// Returns {1, pending} or {0, reason}. Scores use the caller's clock; the whole set's
    /// expiry uses Redis's (relative `PEXPIRE`), so clock skew cannot delete it early.
    static let reserveScript = RedisScript(
        """
        if redis.call('EXISTS', KEYS[1]) == 0 then return {0, 'unknown-node'} end
        local node = redis.call('HMGET', KEYS[1], 'sessions', 'capSessions', 'draining')
        if node[3] == '1' then return {0, 'draining'} end
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
        local pending = redis.call('ZCARD', KEYS[2])
        if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return {1, pending} end
        local sessions = tonumber(node[1]) or 0
        local capacity = tonumber(node[2]) or 0
        if sessions + pending >= capacity then return {0, 'full'} end
        redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
        redis.call('PEXPIRE', KEYS[2], ARGV[4])
        return {1, pending + 1}
        """)

    /// The client the reservations go through.
    public let client: RedisClient
    /// How long an unreleased reservation holds its slot.
    public let ttl: Duration

    /// Reservations over `client` that expire after `ttl` (10 s default).
    public init(client: RedisClient, ttl: Duration = .seconds(10)) {
        self.client = client
        self.ttl = ttl
    }

    /// Takes one viewer slot on `node` for `token` (the viewer session id) if the node is live,
    /// not draining and `sessions + pending < capSessions`. Reserving the same token twice
    /// holds one slot.
    ///
    /// - Parameter now: wall-clock milliseconds since 1970, passed in so tests control time.
    public func reserve(node: String, token: String, now: UInt64) async throws(RedisError) -> Outcome {
        let ttlMilliseconds = max(ttl.wholeMilliseconds, 1)
        let expiresAt = now &+ UInt64(ttlMilliseconds)
        let reply = try await client.run(
            Self.reserveScript, keys: Self.reserveKeys(node),
            arguments: [token, String(now), String(expiresAt), String(ttlMilliseconds)])
        guard let parts = reply.array, parts.count == 2, let verdict = parts[0].int else {
            throw .unexpectedReply("reservation script answered \(reply)")
        }
        if verdict == 1, let pending = parts[1].int {
            return .reserved(pending: Int(pending))
        }
        guard let reason = parts[1].string, let refusal = Refusal(rawValue: reason) else {
            throw .unexpectedReply("reservation script refused with \(parts[1])")
        }
        return .refused(refusal)
    }

    /// The keys of ``reserveScript``: the node's hash and reservations, both tagged `{node}`.
    static func reserveKeys(_ node: String) -> [String] {
        [RedisKeys.node(node), RedisKeys.reservations(node)]
    }

    /// Gives the slot back (the viewer arrived and is now counted in `sessions`, or left).
    /// Returns false when there was no such reservation (already released or expired).
    @discardableResult
    public func release(node: String, token: String) async throws(RedisError) -> Bool {
        try await client.command(["ZREM", RedisKeys.reservations(node), token]).int == 1
    }

    /// Reservations on `node` that have not expired at `now`.
    public func pending(node: String, now: UInt64) async throws(RedisError) -> Int {
        let reply = try await client.command(["ZCOUNT", RedisKeys.reservations(node), "(\(now)", "+inf"])
        guard let count = reply.int else { throw .unexpectedReply("ZCOUNT answered \(reply)") }
        return Int(count)
    }
}
