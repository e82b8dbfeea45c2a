import MeshTestSupport
import Testing

@testable import MeshCluster

/// How fast the registry forgets a dead node and what it costs Redis: whole writes only on
/// change, expiry refreshes in between, eviction of stale entries, reservations dropped with
/// a node's life. Time is simulated by setting an entry's remaining time to live, never slept.
@Suite("Redis registry liveness", .timeLimit(.minutes(1)))
struct RedisRegistryLivenessTests {
    static func edge(_ id: String, sessions: Int = 0, updatedAt: UInt64 = 1_700_000_000_000) -> NodeStatus {
        RedisRegistryTests.edge(id, sessions: sessions, capacity: 10, updatedAt: updatedAt)
    }

    static func field(_ client: RedisClient, _ id: String, _ name: String) async throws -> String? {
        try await client.command(["HGET", "node:{\(id)}", name]).string
    }

    static func timeToLive(_ client: RedisClient, _ id: String) async throws -> Int64 {
        try await client.command(["PTTL", "node:{\(id)}"]).int ?? -3
    }

    @Test("the plan writes first, then touches while only the time taken changes, and writes on change or failure")
    func plan() {
        var plan = HeartbeatPlan()
        let status = Self.edge("edge-1")
        #expect(plan.next(status) == .write)
        plan.wrote(status)
        var later = status
        later.updatedAt += 250
        #expect(plan.next(later) == .touch)
        var busier = later
        busier.load.sessions = 1
        #expect(plan.next(busier) == .write)
        plan.wrote(busier)
        #expect(plan.next(busier) == .touch)
        plan.lost()
        #expect(plan.next(busier) == .write)
    }

    @Test("the defaults: refresh every 250 ms, expire after 1.5 s, stale after 500 ms")
    func defaults() {
        #expect(NodeRegistry.refreshInterval == .milliseconds(250))
        #expect(NodeRegistry.defaultTTL == .milliseconds(1500))
        #expect(NodeRegistry.staleAfter == .milliseconds(500))
    }

    @Test("a touch pushes the expiry back without rewriting the status, and says when the entry is gone")
    func touch() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }  // also keeps the server alive until the test ends
        let client = await RedisRegistryTests.connectedClient(server)
        let registry = NodeRegistry(client: client, ttl: .seconds(60))
        try await registry.heartbeat(Self.edge("edge-1"))
        _ = try await client.command(["PEXPIRE", "node:{edge-1}", "5000"])
        _ = try await client.command(["HSET", "node:{edge-1}", "cpu", "0.99"])
        _ = try await client.command(["SREM", "nodes", "edge-1"])
        #expect(try await registry.touch(id: "edge-1") == false)
        #expect(try await Self.timeToLive(client, "edge-1") > 5_000)
        // The touch relisted the node (its SADD rides behind the script).
        #expect(try await registry.nodes().map(\.id) == ["edge-1"])
        #expect(try await Self.field(client, "edge-1", "cpu") == "0.99")
        try await registry.setDraining(id: "edge-1")
        #expect(try await registry.touch(id: "edge-1") == true)
        _ = try await client.command(["DEL", "node:{edge-1}"])
        #expect(try await registry.touch(id: "edge-1") == nil)
        #expect(try await registry.node(id: "edge-1") == nil)
        await client.shutdown()
    }

    @Test("a beat rewrites the status only when it changed or Redis lost it")
    func beats() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }  // also keeps the server alive until the test ends
        let client = await RedisRegistryTests.connectedClient(server)
        let registry = NodeRegistry(client: client, ttl: .seconds(60))
        var plan = HeartbeatPlan()
        var status = Self.edge("edge-1")
        #expect(try await registry.beat(status, plan: &plan) == false)
        #expect(try await registry.node(id: "edge-1") == status)
        // A mark in the hash shows whether the next beat rewrote it.
        _ = try await client.command(["HSET", "node:{edge-1}", "cpu", "0.99"])
        status.updatedAt += 250
        _ = try await registry.beat(status, plan: &plan)
        #expect(try await Self.field(client, "edge-1", "cpu") == "0.99")
        status.load.sessions = 2
        _ = try await registry.beat(status, plan: &plan)
        #expect(try await registry.node(id: "edge-1") == status)
        // Gone (expired, evicted, Redis restarted): the same beat writes it whole again.
        _ = try await client.command(["DEL", "node:{edge-1}"])
        _ = try await registry.beat(status, plan: &plan)
        #expect(try await registry.node(id: "edge-1") == status)
        await client.shutdown()
    }

    @Test("an entry written afresh starts without the reservations of the node's earlier life")
    func freshEntryDropsReservations() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }  // also keeps the server alive until the test ends
        let client = await RedisRegistryTests.connectedClient(server)
        let registry = NodeRegistry(client: client, ttl: .seconds(60))
        let reservations = CapacityReservation(client: client)
        let now: UInt64 = 1_700_000_000_000
        try await registry.heartbeat(Self.edge("edge-1"))
        #expect(try await reservations.reserve(node: "edge-1", token: "v1", now: now) == .reserved(pending: 1))
        try await registry.heartbeat(Self.edge("edge-1", sessions: 1))
        #expect(try await reservations.pending(node: "edge-1", now: now) == 1)
        // The entry expired (the node died); the node starts again and registers.
        _ = try await client.command(["DEL", "node:{edge-1}"])
        try await registry.heartbeat(Self.edge("edge-1"))
        #expect(try await reservations.pending(node: "edge-1", now: now) == 0)
        await client.shutdown()
    }

    @Test("listing prunes an expired node together with its reservations")
    func listingDropsReservationsOfExpiredNodes() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }  // also keeps the server alive until the test ends
        let client = await RedisRegistryTests.connectedClient(server)
        let registry = NodeRegistry(client: client, ttl: .seconds(60))
        let now: UInt64 = 1_700_000_000_000
        try await registry.heartbeat(Self.edge("edge-1"))
        try await registry.heartbeat(Self.edge("edge-2"))
        #expect(
            try await CapacityReservation(client: client).reserve(node: "edge-1", token: "v1", now: now)
                == .reserved(pending: 1))
        _ = try await client.command(["DEL", "node:{edge-1}"])
        #expect(try await registry.nodes().map(\.id) == ["edge-2"])
        #expect(try await client.command(["EXISTS", "node:{edge-1}:reservations"]) == .integer(0))
        await client.shutdown()
    }

    @Test("eviction removes a stale entry with its reservations and keeps one refreshed lately")
    func eviction() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }  // also keeps the server alive until the test ends
        let client = await RedisRegistryTests.connectedClient(server)
        let registry = NodeRegistry(client: client, ttl: .seconds(60))
        let reservations = CapacityReservation(client: client)
        let now: UInt64 = 1_700_000_000_000
        try await registry.heartbeat(Self.edge("edge-1"))
        #expect(try await reservations.reserve(node: "edge-1", token: "v1", now: now) == .reserved(pending: 1))
        // Just refreshed: its link is silent but the process lives. (Against a 10 s threshold:
        // the default 500 ms races a loaded machine's own delays since the heartbeat.)
        #expect(try await registry.evict(id: "edge-1", staleAfter: .seconds(10)) == .refreshedLately)
        // 400 ms since the last refresh: not stale for a 10 s threshold. (Against the default
        // 500 ms this would race a loaded machine's own delays; time only ever adds staleness,
        // so the eviction below is safe with it.)
        _ = try await client.command(["PEXPIRE", "node:{edge-1}", "59600"])
        #expect(try await registry.evict(id: "edge-1", staleAfter: .seconds(10)) == .refreshedLately)
        // 700 ms since the last refresh: it missed two; evicted.
        _ = try await client.command(["PEXPIRE", "node:{edge-1}", "59300"])
        #expect(try await registry.evict(id: "edge-1") == .evicted)
        #expect(try await registry.node(id: "edge-1") == nil)
        #expect(try await client.command(["SISMEMBER", "nodes", "edge-1"]) == .integer(0))
        #expect(try await reservations.pending(node: "edge-1", now: now) == 0)
        #expect(try await reservations.reserve(node: "edge-1", token: "v2", now: now) == .refused(.unknownNode))
        #expect(try await registry.evict(id: "edge-1") == .unknown)
        // An entry an older build wrote (no ttlMs) is left to expire.
        _ = try await client.command(["HSET", "node:{edge-2}", "role", "edge"])
        #expect(try await registry.evict(id: "edge-2") == .unknown)
        // Back: its next heartbeat lists it again.
        try await registry.heartbeat(Self.edge("edge-1"))
        #expect(try await registry.nodes().map(\.id) == ["edge-1"])
        await client.shutdown()
    }
}
