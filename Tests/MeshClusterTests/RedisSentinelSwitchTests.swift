import Foundation
import MeshTestSupport
import Testing

@testable import MeshCluster

/// `+switch-master` (Redis's Sentinel client specification, "Sentinel failover disconnection"
/// and the Pub/Sub messages sentinels publish): the client subscribes on every sentinel and
/// moves to the new master when the announcement comes, before any command could fail on the
/// old one. Against a real local Sentinel set, failed over with `SENTINEL FAILOVER`.
@Suite("Redis Sentinel +switch-master", .serialized, .timeLimit(.minutes(2)))
struct RedisSentinelSwitchTests {
    /// Whether every sentinel has the client's `+switch-master` subscription (and so will tell it).
    static func subscribed(_ set: LocalSentinelSet) -> Bool {
        // Sentinels have no PUBSUB command: their client list shows each client's subscriptions.
        set.sentinelEndpoints.allSatisfy { sentinel in
            let reply = try? RedisConnection(endpoint: sentinel).command(["CLIENT", "LIST"])
            return reply?.string?.contains(" sub=1 ") == true
        }
    }

    @Test("a SENTINEL FAILOVER reaches the client as +switch-master: it moves without a failed command")
    func followsTheAnnouncement() async throws {
        let sentinels = try SentinelTestSet()
        let set = sentinels.set
        let client = RedisClient(target: set.target, configuration: RedisSentinelTests.quick)
        await client.waitUntil(available: true)
        #expect(try await client.command(["SET", "switch:{k}", "1"]) == .status("OK"))
        let before = try #require(set.currentMasterPort)
        _ = try await RedisSentinelTests.eventually {
            guard Self.subscribed(set) else { throw RedisError.unexpectedReply("not subscribed everywhere yet") }
        }
        // Availability must not drop: the move happens between commands, not after one failed.
        let updates = client.availabilityUpdates()
        let dropped = Task {
            var dropped = false
            for await available in updates where !available { dropped = true }
            return dropped
        }

        // The test hears the announcement too (on another sentinel), to time the client's move from it.
        let announced = Self.announcement(on: set.sentinelEndpoints[1])
        try await announced.subscribed()

        // A sentinel that has not listed the replicas yet (it asks the master's INFO every 10 s)
        // answers NOGOODSLAVE and does nothing: asked again until it fails over.
        let sentinel = try RedisConnection(endpoint: set.sentinelEndpoints[0])
        let started = try await RedisSentinelTests.eventually {
            let asked = ContinuousClock.now
            _ = try sentinel.command(["SENTINEL", "FAILOVER", set.masterName])
            return asked
        }
        // No command is sent meanwhile: only the announcement can move the client.
        while client.masterSwitchesFollowed == 0 {
            try await Task.sleep(for: .milliseconds(5))
        }
        let moved = ContinuousClock.now
        let learned = moved - started
        let heard = try await announced.heard.value
        let after = try #require(set.currentMasterPort)
        #expect(after != before)
        #expect(client.endpoint.hasSuffix(":\(after)"), "client on \(client.endpoint), master on \(after)")
        // The first command after the failover goes to the new master and succeeds.
        #expect(try await client.command(["SET", "switch:{k}", "2"]) == .status("OK"))
        #expect(try await client.command(["ROLE"]).array?.first?.string == "master")
        #expect(client.lastError == nil)
        #expect(client.masterSwitchesFollowed == 1)
        dropped.cancel()
        #expect(await dropped.value == false, "availability dropped during the switch")
        print(
            "switch-master: the client was on the new master \(learned) after SENTINEL FAILOVER, "
                + "\(moved - heard) after the announcement reached a subscriber")
        await client.shutdown()
    }

    /// A subscriber of `sentinel`'s `+switch-master` on its own thread: `heard` is when the first
    /// message came.
    struct Announcement {
        let ready: Task<Void, any Error>
        let heard: Task<ContinuousClock.Instant, any Error>

        func subscribed() async throws { try await ready.value }
    }

    static func announcement(on sentinel: RedisEndpoint) -> Announcement {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        let heard = Task.detached { () throws -> ContinuousClock.Instant in
            let connection = try RedisConnection(endpoint: sentinel)
            try connection.append(["SUBSCRIBE", "+switch-master"])
            while true {
                guard let reply = try connection.nextReply(within: .milliseconds(50)) else { continue }
                switch reply.array?.first?.string {
                case "subscribe": continuation.yield()
                case "message": return ContinuousClock.now
                default: continue
                }
            }
        }
        let ready = Task {
            for await _ in stream { return }
            _ = try await heard.value
        }
        return Announcement(ready: ready, heard: heard)
    }

    @Test("a +switch-master payload names the new master only for the client's master name")
    func payloads() {
        let set = RedisSentinels(
            masterName: "meshcast", sentinels: [], password: "pw", database: 2)
        let master = set.switchedMaster("meshcast 127.0.0.1 6379 127.0.0.2 6380")
        #expect(master == RedisEndpoint(address: .tcp(host: "127.0.0.2", port: 6380), database: 2, password: "pw"))
        for payload in [
            "other 127.0.0.1 6379 127.0.0.2 6380", "meshcast 127.0.0.1 6379 127.0.0.2", "meshcast a b c 0",
            "meshcast 127.0.0.1 6379 127.0.0.2 70000", "",
        ] {
            #expect(set.switchedMaster(payload) == nil, "\(payload)")
        }
    }
}
