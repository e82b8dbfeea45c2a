import MeshCluster
import MeshTestSupport
import Testing

/// A node asked to stop (SIGTERM) drains itself through its own status (issue 15, item 6):
/// placement and the reservation script read it as draining, the operator's drain marker is
/// neither set nor needed, and the heartbeat's answer (the marker's verdict) stays false, so the
/// node does not mistake its own stop for an operator's drain.
@Suite("Redis: a stopping node", .timeLimit(.minutes(1)))
struct RedisStoppingNodeTests {
    @Test("a stopping status is draining for placement and reservations, without the drain marker")
    func stoppingDrainsThroughTheStatus() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }  // also keeps the server alive until the test ends
        let client = await RedisRegistryTests.connectedClient(server)
        let registry = NodeRegistry(client: client, ttl: .seconds(60))
        let reservations = CapacityReservation(client: client, ttl: .seconds(10))
        let now: UInt64 = 1_700_000_000_000
        var status = RedisRegistryTests.edge("edge-1", sessions: 1, capacity: 10)
        #expect(try await registry.heartbeat(status) == false)
        #expect(try await reservations.reserve(node: "edge-1", token: "v1", now: now) == .reserved(pending: 1))

        status.stopping = true
        #expect(try await registry.heartbeat(status) == false)
        let listed = try await registry.node(id: "edge-1")
        #expect(listed?.stopping == true)
        #expect(listed?.draining == true)
        #expect(try await reservations.reserve(node: "edge-1", token: "v2", now: now) == .refused(.draining))
        #expect(try await client.command(["EXISTS", "node:{edge-1}:drain"]) == .integer(0))

        // An operator's undo does not take back a stop: the node is still leaving.
        try await registry.setDraining(id: "edge-1", false)
        #expect(try await registry.node(id: "edge-1")?.draining == true)
        await client.shutdown()
    }

    @Test("a restarted node is not drained by its previous life's stop")
    func aRestartStartsUndrained() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let client = await RedisRegistryTests.connectedClient(server)
        let registry = NodeRegistry(client: client, ttl: .seconds(60))
        var status = RedisRegistryTests.edge("edge-1", sessions: 0, capacity: 10)
        status.stopping = true
        try await registry.heartbeat(status)
        try await registry.remove(id: "edge-1")  // the stopped node withdraws
        status.stopping = false
        try await registry.heartbeat(status)
        #expect(try await registry.node(id: "edge-1")?.draining == false)
        await client.shutdown()
    }
}
