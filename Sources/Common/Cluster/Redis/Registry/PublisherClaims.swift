/// One publisher per stream across the whole mesh, and at most `max_publishers` streams: an
/// origin claims a stream in Redis before it takes the stream's publisher, in one script that
/// both checks and counts, so two origins deciding at once can never both win.
///
/// A claim names its origin and expires unless the origin refreshes it (once a second while the
/// stream is published there), so a dead origin's streams free themselves.
public struct PublisherClaims: Sendable {
    /// The answer to ``claim(stream:origin:limit:now:)``.
    public enum Outcome: Sendable, Equatable {
        /// The stream is this origin's (new or refreshed).
        case claimed
        /// Another origin publishes the stream.
        case publishedElsewhere(origin: String)
        /// The mesh already publishes `limit` streams.
        case full
    }

    /// KEYS: claims set, origins hash. ARGV: stream, origin, now ms, expires-at ms, limit (0:
    /// none), ttl ms. Returns {1, origin} claimed, {0, origin} held elsewhere, {2, ''} full.
    static let claimScript = RedisScript(
        """
        local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
        for _, name in ipairs(expired) do redis.call('HDEL', KEYS[2], name) end
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
        local holder = redis.call('HGET', KEYS[2], ARGV[1])
        if holder and holder ~= ARGV[2] then return {0, holder} end
        if not holder then
          local limit = tonumber(ARGV[5])
          if limit > 0 and redis.call('ZCARD', KEYS[1]) >= limit then return {2, ''} end
        end
        redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[6])
        redis.call('PEXPIRE', KEYS[2], ARGV[6])
        return {1, ARGV[2]}
        """)

    /// KEYS: claims set, origins hash. ARGV: stream, origin. Drops the claim only if it is
    /// `origin`'s, so a late release never frees another origin's stream.
    static let releaseScript = RedisScript(
        """
        if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
        redis.call('HDEL', KEYS[2], ARGV[1])
        redis.call('ZREM', KEYS[1], ARGV[1])
        return 1
        """)

    /// The keys of ``claimScript`` and ``releaseScript``, both tagged `{mesh}`.
    static let claimKeys = [RedisKeys.publisherClaims, RedisKeys.publisherOrigins]

    /// The client the claims go through.
    public let client: RedisClient
    /// How long a claim lives unless refreshed.
    public let ttl: Duration

    /// Claims over `client` that live `ttl` (5 s default) past their last refresh.
    public init(client: RedisClient, ttl: Duration = .seconds(5)) {
        self.client = client
        self.ttl = ttl
    }

    /// Claims (or refreshes) `stream` for `origin`, unless another origin holds it or the mesh
    /// publishes `limit` streams already (`nil`: no limit).
    ///
    /// - Parameter now: wall-clock milliseconds since 1970, passed in so tests control time.
    public func claim(stream: String, origin: String, limit: Int?, now: UInt64) async throws(RedisError) -> Outcome {
        let ttlMilliseconds = max(ttl.wholeMilliseconds, 1)
        let reply = try await client.run(
            Self.claimScript, keys: Self.claimKeys,
            arguments: [
                stream, origin, String(now), String(now &+ UInt64(ttlMilliseconds)), String(max(limit ?? 0, 0)),
                String(ttlMilliseconds),
            ])
        guard let parts = reply.array, parts.count == 2, let verdict = parts[0].int, let holder = parts[1].string else {
            throw .unexpectedReply("publisher claim script answered \(reply)")
        }
        switch verdict {
        case 1: return .claimed
        case 0: return .publishedElsewhere(origin: holder)
        default: return .full
        }
    }

    /// Gives `stream` up if `origin` holds it; returns whether it did.
    @discardableResult
    public func release(stream: String, origin: String) async throws(RedisError) -> Bool {
        try await client.run(
            Self.releaseScript, keys: Self.claimKeys,
            arguments: [stream, origin]
        ).int == 1
    }

    /// Whether `stream` has a live claim at wall-clock `now` (ms since 1970): its publisher is on
    /// an origin now. The claim goes within a second of the publisher leaving (the origin's duty
    /// releases it), unlike the stream's directory record, which outlives it by the grace period;
    /// a recorder stops a recording when it goes.
    public func isClaimed(_ stream: String, now: UInt64) async throws(RedisError) -> Bool {
        let reply = try await client.command(["ZSCORE", RedisKeys.publisherClaims, stream])
        guard case .bulk(let bytes) = reply, let expiresAt = Double(String(decoding: bytes, as: UTF8.self)) else {
            return false
        }
        return expiresAt > Double(now)
    }
}
