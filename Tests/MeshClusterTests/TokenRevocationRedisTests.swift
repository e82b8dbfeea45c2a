import Dispatch
import MeshCluster
import MeshTestSupport
import Testing

/// Token revocation through a real Redis (issue 15, item 3): a jti revoked through one node's
/// list is refused by another node's copy within a second, kept until the token's expiry and
/// pruned after it, and survives an outage of Redis on the nodes that already had it.
@Suite("Redis token revocations", .timeLimit(.minutes(1)))
struct TokenRevocationRedisTests {
    static let now: Int64 = 1_700_000_000

    /// How fast (a second, in the issue) is measured by `test_mesh_roles.py` on a running mesh;
    /// here only that the other copy learns of it, not how soon: timing bounds fail on a loaded
    /// machine.
    @Test("a revocation made on one node is seen by another node's copy")
    func seenEverywhere() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let first = await RedisRegistryTests.connectedClient(server)
        let second = await RedisRegistryTests.connectedClient(server)
        let here = TokenRevocations(redis: first)
        let there = TokenRevocations(redis: second)
        let wallClock: @Sendable () -> Int64 = {
            Int64(DispatchTime.now().uptimeNanoseconds / 1_000_000_000) + Self.now
        }
        let refresher = Task { await there.run(clock: wallClock) }
        // Let the refresher take its first copy (an empty list) before revoking.
        try await Task.sleep(for: .milliseconds(300))
        #expect(!there.isRevoked("jti-1", now: wallClock()))
        let start = ContinuousClock.now
        try await here.revoke("jti-1", expiresAt: wallClock() + 600, now: wallClock())
        #expect(here.isRevoked("jti-1", now: wallClock()))
        while !there.isRevoked("jti-1", now: wallClock()), ContinuousClock.now - start < .seconds(20) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(there.isRevoked("jti-1", now: wallClock()), "not seen after \(ContinuousClock.now - start)")
        refresher.cancel()
        await first.shutdown()
        await second.shutdown()
    }

    @Test("a revocation is kept until the token's expiry, then pruned from Redis and the copies")
    func keptUntilExpiry() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let client = await RedisRegistryTests.connectedClient(server)
        let list = TokenRevocations(redis: client)
        try await list.revoke("short", expiresAt: Self.now + 10, now: Self.now)
        try await list.revoke("long", expiresAt: Self.now + 1000, now: Self.now)
        #expect(list.isRevoked("short", now: Self.now + 9))
        #expect(!list.isRevoked("short", now: Self.now + 10))
        // Another revocation later prunes what has expired from the set.
        try await list.revoke("later", expiresAt: Self.now + 2000, now: Self.now + 20)
        let members = try await client.command(["ZRANGE", TokenRevocations.setKey, "0", "-1"]).array?.compactMap(
            \.string)
        #expect(members == ["long", "later"])
        let copy = TokenRevocations(redis: client)
        try await copy.refresh(now: Self.now + 20)
        #expect(copy.isRevoked("long", now: Self.now + 20) && copy.isRevoked("later", now: Self.now + 20))
        #expect(copy.count == 2)
        await client.shutdown()
    }

    @Test("with Redis stopped, a node keeps refusing what it knew, and a new revocation fails loudly")
    func outage() async throws {
        let server = try RedisTestServer()
        let client = await RedisRegistryTests.connectedClient(server)
        let list = TokenRevocations(redis: client)
        try await list.revoke("known", expiresAt: Self.now + 600, now: Self.now)
        try await list.refresh(now: Self.now)
        server.stop()
        await #expect(throws: RedisError.self) { try await list.refresh(now: Self.now + 1) }
        #expect(list.isRevoked("known", now: Self.now + 1))
        await #expect(throws: RedisError.self) {
            try await list.revoke("new", expiresAt: Self.now + 600, now: Self.now + 1)
        }
        #expect(!list.isRevoked("new", now: Self.now + 1))
        await client.shutdown()
    }

    @Test("a Redis that restarts empty does not un-revoke what a node had seen")
    func redisLosesTheSet() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let client = await RedisRegistryTests.connectedClient(server)
        let writer = TokenRevocations(redis: client)
        try await writer.revoke("before-restart", expiresAt: Self.now + 600, now: Self.now)
        let reader = TokenRevocations(redis: client)
        try await reader.refresh(now: Self.now)
        #expect(reader.isRevoked("before-restart", now: Self.now))
        server.stop()
        try server.start()
        // The client learns of the restart from the first call that fails, then reconnects.
        _ = try? await reader.refresh(now: Self.now + 1)
        await client.waitUntil(available: true)
        try await reader.refresh(now: Self.now + 1)
        try await writer.revoke("after-restart", expiresAt: Self.now + 600, now: Self.now + 1)
        try await reader.refresh(now: Self.now + 2)
        #expect(reader.isRevoked("before-restart", now: Self.now + 2))
        #expect(reader.isRevoked("after-restart", now: Self.now + 2))
        #expect(!reader.isRevoked("before-restart", now: Self.now + 600))
        await client.shutdown()
    }

    @Test("without Redis the list is the process's own")
    func local() async throws {
        let list = TokenRevocations(redis: nil)
        try await list.revoke("x", expiresAt: Self.now + 5, now: Self.now)
        #expect(list.isRevoked("x", now: Self.now))
        try await list.refresh(now: Self.now + 5)
        #expect(list.count == 0)
    }
}

/// The audit stream in a real Redis (issue 15, item 5): records queued on a node reach the stream
/// in order, read back field for field, filtered by time and actor.
@Suite("Redis audit log", .timeLimit(.minutes(1)))
struct AuditLogRedisTests {
    static func record(_ index: Int, actor: String) -> AuditRecord {
        AuditRecord(
            time: 1_700_000_000_000 + Int64(index), actor: actor, keyID: "k1", action: "token.revoke",
            target: "token/t\(index)", client: "127.0.0.1:5000", requestID: "r\(index)", result: "200 token revoked",
            node: "origin-1")
    }

    @Test("queued records are written in order and read back with filters")
    func roundTrip() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let client = await RedisRegistryTests.connectedClient(server)
        let log = AuditLog(redis: client)
        let writer = Task { await log.run() }
        let records = (0..<5).map { Self.record($0, actor: $0 % 2 == 0 ? "alice" : "bob") }
        let before = try await client.command(["TIME"]).array?.first?.int ?? 0
        for record in records { log.record(record) }
        log.finish()
        await writer.value
        #expect(log.snapshot.written == 5 && log.snapshot.dropped == 0)
        #expect(try await AuditLog.read(from: client, since: nil, actor: nil, limit: 100) == records)
        #expect(
            try await AuditLog.read(from: client, since: nil, actor: "bob", limit: 100) == [records[1], records[3]])
        #expect(try await AuditLog.read(from: client, since: nil, actor: nil, limit: 2) == Array(records.prefix(2)))
        // Entry ids are Redis's clock: everything was written after `before`, nothing an hour later.
        #expect(try await AuditLog.read(from: client, since: before * 1000, actor: nil, limit: 100).count == 5)
        #expect(try await AuditLog.read(from: client, since: (before + 3600) * 1000, actor: nil, limit: 100).isEmpty)
        let length = try await client.command(["XLEN", AuditLog.streamKey]).int
        #expect(length == 5)
        await client.shutdown()
    }

    @Test("records queued while Redis is away are written once it is back")
    func outage() async throws {
        let server = try RedisTestServer()
        let client = await RedisRegistryTests.connectedClient(server)
        let log = AuditLog(redis: client)
        let writer = Task { await log.run() }
        server.stop()
        for index in 0..<3 { log.record(Self.record(index, actor: "alice")) }
        try await Task.sleep(for: .milliseconds(300))
        try server.start()
        await client.waitUntil(available: true)
        log.finish()
        await writer.value
        #expect(try await AuditLog.read(from: client, since: nil, actor: nil, limit: 10).count == 3)
        await client.shutdown()
        server.stop()
    }
}
