/// Counts the placement redirects a client has not followed yet, by its address and by its
/// token, so that one client cannot hold every edge's capacity with redirects it never follows.
///
/// Each holder (`address:<ip>` or `token:<digest>`) is a sorted set of grant ids scored by their
/// expiry; a grant is added only while the holder has fewer than ``limit`` live entries, and is
/// removed when the client redeems it. A client over its limit is still placed, just without a
/// reserved slot: the chosen node's own admission check is then what protects it.
public struct RedirectQuota: Sendable {
    /// KEYS: holder set. ARGV: grant id, now ms, expires-at ms, ttl ms, limit. Returns 1 when
    /// the id was added (or already held), 0 when the holder is at its limit.
    static let takeScript = RedisScript(
        """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
        if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 1 end
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[5]) then return 0 end
        redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        return 1
        """)

    /// The client the counts go through.
    public let client: RedisClient
    /// How many unfollowed redirects one holder may have at once.
    public let limit: Int
    /// How long an unfollowed redirect counts (the grant's life).
    public let ttl: Duration

    /// A quota of `limit` unfollowed redirects per holder, each counted for `ttl`.
    public init(client: RedisClient, limit: Int = 8, ttl: Duration = .seconds(5)) {
        self.client = client
        self.limit = limit
        self.ttl = ttl
    }

    /// The Redis key of a client address's count.
    public static func holder(address: String) -> String { RedisKeys.redirects("address:\(address)") }
    /// The Redis key of a token's count (`digest`: a hash of the token, never the token).
    public static func holder(tokenDigest digest: String) -> String { RedisKeys.redirects("token:\(digest)") }

    /// Counts grant `id` against every holder in `holders`, all or none: returns false (and
    /// counts nothing) when any of them is at its limit.
    ///
    /// - Parameter now: wall-clock milliseconds since 1970, passed in so tests control time.
    public func take(id: String, holders: [String], now: UInt64) async throws(RedisError) -> Bool {
        let ttlMilliseconds = max(ttl.wholeMilliseconds, 1)
        let arguments = [
            id, String(now), String(now &+ UInt64(ttlMilliseconds)), String(ttlMilliseconds), String(limit),
        ]
        var taken: [String] = []
        for holder in holders {
            // Holders hash to different slots, so each is its own script run.
            let reply = try await client.run(Self.takeScript, keys: [holder], arguments: arguments)
            guard let verdict = reply.int else { throw .unexpectedReply("redirect quota script answered \(reply)") }
            guard verdict == 1 else {
                try await release(id: id, holders: taken)
                return false
            }
            taken.append(holder)
        }
        return true
    }

    /// Stops counting grant `id` (the client followed the redirect).
    public func release(id: String, holders: [String]) async throws(RedisError) {
        for holder in holders {
            _ = try await client.command(["ZREM", holder, id])
        }
    }
}
