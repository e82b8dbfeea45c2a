import MeshCluster
import MeshTestSupport
import Testing

/// `RedisClient`: async commands off the caller's thread, reconnect with back-off, availability,
/// and Lua scripts by SHA1 with the `NOSCRIPT` fallback (Redis `EVALSHA` documentation).
@Suite("Redis client", .timeLimit(.minutes(1)))
struct RedisClientTests {
    /// A fast back-off so the reconnect test does not wait seconds.
    static let quick = RedisClient.Configuration(
        backoff: ReconnectBackoff(initial: .milliseconds(20), maximum: .milliseconds(200)))

    /// Adds ARGV[1] to the counter at KEYS[1]: a script whose every run shows in its reply.
    static let incrementBy = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")

    /// A client of `server` with the quick back-off, once it is connected.
    static func connected(_ server: RedisTestServer) async -> RedisClient {
        let client = RedisClient(endpoint: server.endpoint, configuration: quick)
        await client.waitUntil(available: true)
        return client
    }

    @Test("async commands and pipelines")
    func commands() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }  // also keeps the server alive until the test ends
        let client = await Self.connected(server)
        #expect(try await client.command(["SET", "k", "v"]) == .status("OK"))
        #expect(try await client.command(bytes: [Array("GET".utf8), Array("k".utf8)]) == .bulk(Array("v".utf8)))
        #expect(try await client.pipeline([["INCR", "n"], ["INCR", "n"]]) == [.integer(1), .integer(2)])
        await #expect(throws: RedisError.server("ERR value is not an integer or out of range")) {
            try await client.command(["INCR", "k"])
        }
        await client.shutdown()
        await #expect(throws: RedisError.self) { try await client.command(["PING"]) }
    }

    @Test("a killed server makes the client unavailable; restarted, it reconnects by itself")
    func reconnect() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }  // also keeps the server alive until the test ends
        let client = await Self.connected(server)
        var updates = client.availabilityUpdates().makeAsyncIterator()
        let current = await updates.next()
        #expect(current == true)  // a new stream starts with the current state
        _ = try await client.command(["SET", "before", "1"])

        server.stop()
        // The next command notices the dead socket; it fails as a connection failure.
        let failure = await #expect(throws: RedisError.self) { try await client.command(["PING"]) }
        #expect(failure?.isConnectionFailure == true)
        let lost = await updates.next()
        #expect(lost == false)
        #expect(!client.isAvailable)
        // While away, commands fail fast with `closed` instead of waiting.
        let whileAway = await #expect(throws: RedisError.self) { try await client.command(["PING"]) }
        if case .closed = whileAway {} else { Issue.record("expected .closed, got \(String(describing: whileAway))") }

        try server.start()
        let back = await updates.next()
        #expect(back == true)
        #expect(client.isAvailable)
        #expect(try await client.command(["PING"]) == .status("PONG"))
        // A fresh server (no persistence): the old key is gone, proving it is a new connection.
        #expect(try await client.command(["GET", "before"]) == .null)
        await client.shutdown()
    }

    @Test("scripts run by SHA1 and fall back to EVAL after SCRIPT FLUSH")
    func scriptFallback() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }  // also keeps the server alive until the test ends
        let client = await Self.connected(server)
        #expect(try await client.run(Self.incrementBy, keys: ["counter"], arguments: ["5"]) == .integer(5))
        #expect(try await client.run(Self.incrementBy, keys: ["counter"], arguments: ["2"]) == .integer(7))
        #expect(client.scriptFallbackCount == 0)

        _ = try await client.command(["SCRIPT", "FLUSH"])
        #expect(try await client.run(Self.incrementBy, keys: ["counter"], arguments: ["1"]) == .integer(8))
        #expect(client.scriptFallbackCount == 1)
        // EVAL cached the script again, so the next run goes by SHA1 once more.
        #expect(try await client.run(Self.incrementBy, keys: ["counter"], arguments: ["1"]) == .integer(9))
        #expect(client.scriptFallbackCount == 1)

        // A script's runtime error comes back with Redis's text.
        let broken = RedisScript("return redis.call('INCR', KEYS[1])")
        _ = try await client.command(["SET", "text", "abc"])
        let failure = await #expect(throws: RedisError.self) {
            try await client.run(broken, keys: ["text"], arguments: [])
        }
        guard case .server(let text) = failure else {
            Issue.record("expected a server error, got \(String(describing: failure))")
            return
        }
        #expect(text.contains("not an integer"))
        await client.shutdown()
    }

    @Test("commands sent behind a script run once, also when it falls back to EVAL")
    func scriptFollowers() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }  // also keeps the server alive until the test ends
        let client = await Self.connected(server)
        // The script's reply comes back; its follower ran too (its write is read below).
        let first = try await client.run(
            Self.incrementBy, keys: ["counter"], arguments: ["5"], then: [["SET", "seen", "x"]])
        #expect(first == .integer(5))
        _ = try await client.command(["SCRIPT", "FLUSH"])
        let second = try await client.run(
            Self.incrementBy, keys: ["counter"], arguments: ["2"],
            then: [["INCR", "followers"], ["APPEND", "seen", "y"]])
        #expect(second == .integer(7))
        #expect(client.scriptFallbackCount == 1)
        #expect(try await client.command(["GET", "followers"]) == .bulk(Array("1".utf8)))
        #expect(try await client.command(["GET", "seen"]) == .bulk(Array("xy".utf8)))
        // A follower's error reply throws, after the script ran.
        await #expect(throws: RedisError.self) {
            try await client.run(Self.incrementBy, keys: ["counter"], arguments: ["1"], then: [["INCR", "seen"]])
        }
        #expect(try await client.command(["GET", "counter"]) == .bulk(Array("8".utf8)))
        await client.shutdown()
    }

    @Test("back-off doubles from 100 ms to a 5 s cap and restarts after reset")
    func backoff() {
        var backoff = ReconnectBackoff(jitter: 0)
        var delays: [Duration] = []
        for _ in 0..<9 { delays.append(backoff.nextDelay()) }
        var expected: [Duration] = []
        var step = Duration.milliseconds(100)
        for _ in 0..<9 {
            expected.append(min(step, .seconds(5)))
            step *= 2
        }
        #expect(delays == expected)
        backoff.reset()
        #expect(backoff.nextDelay() == .milliseconds(100))
    }

    @Test("jitter keeps every delay within ±20 % of the un-jittered one")
    func jitter() {
        var backoff = ReconnectBackoff()
        var plain = ReconnectBackoff(jitter: 0)
        for _ in 0..<20 {
            let delay = backoff.nextDelay()
            let base = plain.nextDelay()
            #expect(delay >= base * 0.8 && delay <= base * 1.2)
        }
    }
}
