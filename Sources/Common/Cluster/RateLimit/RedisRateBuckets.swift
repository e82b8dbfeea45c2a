/// GCRA buckets shared by every node, in Redis: one key per (class, client) holding its TAT in
/// microseconds on Redis's own clock (`TIME`), so nodes with skewed clocks agree. One script,
/// one key per call: a key's hash tag is the whole bucket name, so it works unchanged on a
/// Redis Cluster.
public struct RedisRateBuckets: Sendable {
    /// The client the buckets live behind.
    public let client: RedisClient

    /// ``GCRA/decide(stored:now:limit:)`` in Lua. Returns {1, 0} when allowed (and stores the new
    /// TAT, expiring when it has passed), {0, retry after µs} when over the limit.
    /// KEYS: the bucket. ARGV: interval µs, burst.
    static let script = RedisScript(
        """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
        local interval = tonumber(ARGV[1])
        local stored = tonumber(redis.call('GET', KEYS[1]) or now)
        local tat = math.max(stored, now) + interval
        local allowedFrom = tat - tonumber(ARGV[2]) * interval
        if now < allowedFrom then return {0, allowedFrom - now} end
        redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000))
        return {1, 0}
        """)

    /// Buckets behind `client`.
    public init(client: RedisClient) {
        self.client = client
    }

    /// Takes one request from `bucket` under `limit`: `nil` when allowed, else the wait in µs.
    public func take(_ bucket: String, limit: RateLimit) async throws(RedisError) -> Int64? {
        let reply = try await client.run(
            Self.script, keys: [bucket],
            arguments: [String(limit.intervalMicroseconds), String(limit.burst)])
        guard let parts = reply.array, parts.count == 2, let allowed = parts[0].int, let wait = parts[1].int else {
            throw .unexpectedReply("rate limit script answered \(reply)")
        }
        return allowed == 1 ? nil : wait
    }
}
