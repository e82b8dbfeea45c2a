import Glibc
import MeshCluster
import MeshTestSupport
import Testing

/// The mesh's shared state in Redis (DESIGN.md "Placement (Redis)"): node registry with expiry,
/// stream directory and carriers, atomic capacity reservations; each test on a standalone server,
/// a Sentinel set and a Redis Cluster (`RedisTestBackend`).
@Suite("Redis registries", .timeLimit(.minutes(2)))
struct RedisRegistryTests {
    static func edge(_ id: String, sessions: Int, capacity: Int, updatedAt: UInt64 = 1_700_000_000_000) -> NodeStatus {
        NodeStatus(
            id: id, role: .edge, region: "eu-west", apiURL: "http://127.0.0.1:8081", mediaAddress: "127.0.0.1:40000",
            capacity: .init(sessions: capacity, egressBitsPerSecond: 1_000_000_000),
            load: .init(cpu: 0.25, egressBitsPerSecond: 12_000_000, packetsPerSecond: 1_500, sessions: sessions),
            updatedAt: updatedAt)
    }

    static func connectedClient(_ server: RedisTestServer) async -> RedisClient {
        await connectedClient(.standalone(server.endpoint))
    }

    static func connectedClient(_ target: RedisTarget) async -> RedisClient {
        let client = RedisClient(target: target)
        await client.waitUntil(available: true)
        return client
    }

    @Test(
        "a heartbeat publishes the whole status, and it reads back field for field", arguments: RedisTestKind.allCases)
    func heartbeatRoundTrip(kind: RedisTestKind) async throws {
        try await RedisTestBackend.with(kind) { target in
            let client = await Self.connectedClient(target)
            // A long expiry, so a stalled machine cannot age the entry out between two commands.
            let registry = NodeRegistry(client: client, ttl: .seconds(60))
            let status = Self.edge("edge-1", sessions: 3, capacity: 100)
            #expect(try await registry.heartbeat(status) == false)
            #expect(try await registry.node(id: "edge-1") == status)
            #expect(try await registry.nodes() == [status])
            let ttl = try await client.command(["PTTL", "node:{edge-1}"]).int ?? -1
            #expect(ttl > 0 && ttl <= 60_000)
            #expect(NodeRegistry(client: client).ttl == .milliseconds(1500))
            // Since when it drains reads back too, and an undrained node's next status clears it
            // (a heartbeat's HSET keeps fields it does not write, so "none" is written as 0).
            var draining = status
            draining.stopping = true
            draining.drainingSince = 1_700_000_123_456
            _ = try await registry.heartbeat(draining)
            #expect(try await registry.node(id: "edge-1")?.drainingSince == 1_700_000_123_456)
            _ = try await registry.heartbeat(status)
            #expect(try await registry.node(id: "edge-1") == status)
            await client.shutdown()
        }
    }

    @Test("a node that stops its heartbeat expires and leaves the listing", arguments: RedisTestKind.allCases)
    func heartbeatExpiry(kind: RedisTestKind) async throws {
        try await RedisTestBackend.with(kind) { target in
            let client = await Self.connectedClient(target)
            // Long enough to outlast the first listing on a loaded machine, short enough to wait for.
            let registry = NodeRegistry(client: client, ttl: .seconds(2))
            try await registry.heartbeat(Self.edge("edge-1", sessions: 0, capacity: 10))
            try await NodeRegistry(client: client, ttl: .seconds(60)).heartbeat(
                Self.edge("edge-2", sessions: 0, capacity: 10))
            #expect(try await registry.nodes().map(\.id) == ["edge-1", "edge-2"])
            // Wait for Redis to expire edge-1 (bounded polling; the suite's time limit is the guard).
            while try await registry.node(id: "edge-1") != nil {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await registry.nodes().map(\.id) == ["edge-2"])
            // The listing pruned the expired id from the `nodes` set.
            #expect(try await client.command(["SISMEMBER", "nodes", "edge-1"]) == .integer(0))
            await client.shutdown()
        }
    }

    @Test("the heartbeat loop registers the node and re-registers it after Redis restarts")
    func heartbeatLoop() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }  // also keeps the server alive until the test ends
        let client = RedisClient(
            endpoint: server.endpoint,
            configuration: .init(backoff: ReconnectBackoff(initial: .milliseconds(20), maximum: .milliseconds(100))))
        await client.waitUntil(available: true)
        let registry = NodeRegistry(client: client)
        let status = Self.edge("edge-1", sessions: 0, capacity: 10)
        let loop = Task { await registry.runHeartbeats(every: .milliseconds(20), status: { status }) }
        defer { loop.cancel() }
        while try await registry.node(id: "edge-1") == nil { try await Task.sleep(for: .milliseconds(20)) }

        server.stop()
        try server.start()  // a fresh, empty Redis on the same port
        // Polls until the client has reconnected and the loop has written the node again.
        while (try? await registry.node(id: "edge-1")) ?? nil != status {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await registry.nodes() == [status])
        await client.shutdown()
    }

    @Test(
        "a drain set from outside survives heartbeats and is reported back to the node",
        arguments: RedisTestKind.allCases)
    func draining(kind: RedisTestKind) async throws {
        try await RedisTestBackend.with(kind) { target in
            let client = await Self.connectedClient(target)
            let registry = NodeRegistry(client: client, ttl: .seconds(60))
            #expect(try await registry.setDraining(id: "edge-9") == false)  // not live; marked anyway
            let status = Self.edge("edge-1", sessions: 0, capacity: 10)
            try await registry.heartbeat(status)
            #expect(try await registry.setDraining(id: "edge-1") == true)
            #expect(try await registry.heartbeat(status) == true)
            #expect(try await registry.node(id: "edge-1")?.draining == true)
            try await registry.setDraining(id: "edge-1", false)
            #expect(try await registry.heartbeat(status) == false)
            #expect(try await registry.node(id: "edge-1")?.draining == false)
            try await registry.remove(id: "edge-1")
            #expect(try await registry.nodes().isEmpty)
            await client.shutdown()
        }
    }

    @Test("streams register, look up, list and unregister; carriers expire", arguments: RedisTestKind.allCases)
    func streams(kind: RedisTestKind) async throws {
        try await RedisTestBackend.with(kind) { target in
            let client = await Self.connectedClient(target)
            let directory = StreamDirectory(client: client, carrierTTL: .seconds(5))
            let record = StreamRecord(
                name: "demo", originNode: "origin-1",
                tracks: [
                    MeshTrack(
                        trackID: "0", kind: .audio, ssrc: 0x1000_0001, codec: "opus", payloadType: 111,
                        clockRate: 48_000),
                    MeshTrack(
                        trackID: "1", kind: .video, ssrc: 0x1000_0002, rtxSSRC: 0x1000_0003, codec: "VP8",
                        payloadType: 96,
                        clockRate: 90_000, rid: "h"),
                    MeshTrack(
                        trackID: "1", kind: .video, ssrc: 0xFFFF_FFFF, codec: "VP8", payloadType: 96, clockRate: 90_000,
                        rid: "l"),
                ],
                startedAt: 1_700_000_000_123)
            #expect(try await directory.lookup("demo") == nil)
            try await directory.register(record)
            #expect(try await directory.lookup("demo") == record)
            #expect(try await directory.streams() == ["demo"])

            let now: UInt64 = 1_700_000_000_000
            try await directory.addCarrier(stream: "demo", node: "relay-1", now: now)
            try await directory.addCarrier(stream: "demo", node: "edge-1", now: now + 3_000)
            #expect(try await directory.carriers(of: "demo", now: now + 1_000) == ["edge-1", "relay-1"])
            // relay-1's entry ran out at now + 5 s; edge-1's runs until now + 8 s.
            #expect(try await directory.carriers(of: "demo", now: now + 6_000) == ["edge-1"])
            try await directory.removeCarrier(stream: "demo", node: "edge-1")
            #expect(try await directory.carriers(of: "demo", now: now + 6_000) == [])

            try await directory.unregister("demo")
            #expect(try await directory.lookup("demo") == nil)
            #expect(try await directory.streams() == [])
            await client.shutdown()
        }
    }

    @Test("reservations respect capacity, drain and liveness, and expire", arguments: RedisTestKind.allCases)
    func reservationRules(kind: RedisTestKind) async throws {
        try await RedisTestBackend.with(kind) { target in
            let client = await Self.connectedClient(target)
            let registry = NodeRegistry(client: client, ttl: .seconds(60))
            let reservations = CapacityReservation(client: client, ttl: .seconds(10))
            let now: UInt64 = 1_700_000_000_000
            #expect(try await reservations.reserve(node: "ghost", token: "v1", now: now) == .refused(.unknownNode))

            try await registry.heartbeat(Self.edge("edge-1", sessions: 8, capacity: 10))
            #expect(try await reservations.reserve(node: "edge-1", token: "v1", now: now) == .reserved(pending: 1))
            #expect(try await reservations.reserve(node: "edge-1", token: "v1", now: now) == .reserved(pending: 1))
            #expect(try await reservations.reserve(node: "edge-1", token: "v2", now: now) == .reserved(pending: 2))
            #expect(try await reservations.reserve(node: "edge-1", token: "v3", now: now) == .refused(.full))
            #expect(try await reservations.release(node: "edge-1", token: "v1"))
            #expect(try await reservations.release(node: "edge-1", token: "v1") == false)
            #expect(try await reservations.reserve(node: "edge-1", token: "v3", now: now) == .reserved(pending: 2))
            // Ten seconds on, both unreleased reservations have expired and free their slots.
            #expect(try await reservations.pending(node: "edge-1", now: now + 10_001) == 0)
            #expect(
                try await reservations.reserve(node: "edge-1", token: "v4", now: now + 10_001) == .reserved(pending: 1))

            try await registry.setDraining(id: "edge-1")
            #expect(
                try await reservations.reserve(node: "edge-1", token: "v5", now: now + 10_001) == .refused(.draining))
            await client.shutdown()
        }
    }

    @Test("50 concurrent reservers on 10 clients never exceed capacity", arguments: RedisTestKind.allCases)
    func reservationsAreAtomic(kind: RedisTestKind) async throws {
        try await RedisTestBackend.with(kind) { target in
            let admin = await Self.connectedClient(target)
            try await NodeRegistry(client: admin, ttl: .seconds(60)).heartbeat(
                Self.edge("edge-1", sessions: 3, capacity: 20))
            var clients: [RedisClient] = []
            for _ in 0..<10 { clients.append(await Self.connectedClient(target)) }
            let now: UInt64 = 1_700_000_000_000
            let outcomes = try await withThrowingTaskGroup(of: CapacityReservation.Outcome.self) { group in
                for reserver in 0..<50 {
                    let reservations = CapacityReservation(client: clients[reserver % clients.count])
                    group.addTask {
                        try await reservations.reserve(node: "edge-1", token: "viewer-\(reserver)", now: now)
                    }
                }
                var all: [CapacityReservation.Outcome] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            let granted = outcomes.compactMap { outcome -> Int? in
                if case .reserved(let pending) = outcome { return pending }
                return nil
            }
            // 20 slots minus 3 live sessions: exactly 17 winners, each seeing a distinct count.
            #expect(granted.count == 17)
            #expect(Set(granted) == Set(1...17))
            #expect(outcomes.filter { $0 == .refused(.full) }.count == 33)
            #expect(try await CapacityReservation(client: admin).pending(node: "edge-1", now: now) == 17)
            for client in clients { await client.shutdown() }
            await admin.shutdown()
        }
    }
}
