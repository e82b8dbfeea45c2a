import MeshCluster
import MeshTestSupport
import Testing

/// The rate limits' shared buckets in a real Redis (issue 15, item 4): the Lua script agrees with
/// ``GCRA``, its keys expire when their TAT has passed, and with Redis stopped the limiter keeps
/// limiting on local buckets.
@Suite("Redis rate limits", .timeLimit(.minutes(1)))
struct RateLimiterRedisTests {
    /// One request per hour after a burst of 3: Redis's clock cannot refill a bucket in a test.
    static let slow = RateLimit(requests: 1, periodSeconds: 3600, burst: 3)

    @Test("the script allows the burst, then refuses with the wait GCRA gives")
    func scriptAgreesWithGCRA() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let client = await RedisRegistryTests.connectedClient(server)
        let buckets = RedisRateBuckets(client: client)
        var answers: [Int64?] = []
        for _ in 0..<4 { answers.append(try await buckets.take("ratelimit:{whep:addr:203.0.113.7}", limit: Self.slow)) }
        #expect(answers.prefix(3).allSatisfy { $0 == nil })
        // GCRA: the fourth would be allowed one interval (an hour) after the first, less the
        // microseconds Redis's clock moved between the calls.
        let wait = try #require(answers[3])
        #expect(wait > 3_590_000_000 && wait <= 3_600_000_000)
        let ttl = try await client.command(["PTTL", "ratelimit:{whep:addr:203.0.113.7}"]).int ?? -1
        #expect(ttl > 3 * 3_590_000 && ttl <= 3 * 3_600_000)
        // Another bucket is untouched.
        #expect(try await buckets.take("ratelimit:{whep:addr:198.51.100.9}", limit: Self.slow) == nil)
        await client.shutdown()
    }

    @Test("with Redis stopped, the limits hold on local buckets")
    func limitsHoldWhileRedisIsAway() async throws {
        let server = try RedisTestServer()
        let client = await RedisRegistryTests.connectedClient(server)
        let limiter = RateLimiter(limits: RateLimits(whep: RateLimitPair(both: Self.slow)), redis: client)
        #expect(await limiter.take(.whep, address: "203.0.113.7", token: nil) == nil)
        server.stop()
        // The client learns Redis is gone from the first call that fails; that call and the
        // rest are counted locally.
        var answers: [Int64?] = []
        for _ in 0..<4 { answers.append(await limiter.take(.whep, address: "198.51.100.9", token: nil)) }
        #expect(answers.prefix(3).allSatisfy { $0 == nil })
        #expect(answers[3] != nil)
        // The address flooding while Redis is away is refused; another is still served.
        #expect(await limiter.take(.whep, address: "192.0.2.1", token: nil) == nil)
        await client.shutdown()
    }

    @Test("local buckets stay within their capacity under a flood of addresses")
    func localBucketsAreBounded() {
        let local = LocalRateBuckets(capacity: 100)
        for index in 0..<1000 {
            _ = local.take("ratelimit:{whep:addr:10.0.\(index / 256).\(index % 256)}", limit: Self.slow, now: 1_000)
        }
        #expect(local.count <= 100)
    }
}
