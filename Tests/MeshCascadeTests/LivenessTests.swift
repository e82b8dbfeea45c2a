import MeshCluster
import MeshControl
import MeshRTC
import MeshTestSupport
import Testing

@testable import MeshCascade

/// Placement follows liveness: a node whose relay link fell silent and whose registry entry
/// went stale stops being chosen at once; one that still heartbeats is kept; one that comes
/// back is chosen again. Staleness is simulated with the entry's time to live, never slept.
@Suite(.serialized) struct LivenessTests {
    static let regionA = PlacementRequest(peerAddress: "10.1.2.3")

    /// Makes `node`'s registry entry look `milliseconds` old (MeshWorld writes 120 s entries).
    static func age(_ node: String, by milliseconds: Int, in world: MeshWorld) async throws {
        _ = try await world.redis.command(["PEXPIRE", "node:{\(node)}", String(120_000 - milliseconds)])
    }

    static func placedNode(_ verdict: PlacementVerdict) -> String? {
        if case .redirect(let node, _, _) = verdict { return node }
        return nil
    }

    @Test(arguments: RedisTestKind.allCases) func deadEdgeBehindAQuietLinkIsDroppedWithItsReservations(
        kind: RedisTestKind
    ) async throws {
        try await MeshWorld.with(kind, nodes: ["origin"]) { world async throws in
            try await world.publishOnOrigin()
            let origin = world.coordinator("origin")
            #expect(Self.placedNode(await origin.placeViewer(stream: "live", request: Self.regionA)) == "edge-a")
            let reservations = CapacityReservation(client: world.redis)
            #expect(try await reservations.pending(node: "edge-a", now: WallClock.milliseconds()) == 1)

            // edge-a died 1 s ago: its link is quiet and its entry was last refreshed before that.
            try await Self.age("edge-a", by: 1_000, in: world)
            await origin.handle(.downstreamLinkQuiet(linkID: "origin>edge-a#1", downstreamNode: "edge-a"))
            #expect(try await NodeRegistry(client: world.redis).node(id: "edge-a") == nil)
            #expect(try await reservations.pending(node: "edge-a", now: WallClock.milliseconds()) == 0)
            // Region a has no live edge left: the next region's edge.
            #expect(Self.placedNode(await origin.placeViewer(stream: "live", request: Self.regionA)) == "edge-b")

            // edge-a starts again: its first heartbeat makes it the choice again.
            let edgeA = try #require(world.topology.node(id: "edge-a"))
            try await NodeRegistry(client: world.redis, ttl: .seconds(120)).heartbeat(
                MeshFixture.status(of: edgeA, updatedAt: 2))
            #expect(Self.placedNode(await origin.placeViewer(stream: "live", request: Self.regionA)) == "edge-a")
        }
    }

    @Test(arguments: RedisTestKind.allCases) func quietLinkToANodeThatStillHeartbeatsKeepsItPlaced(kind: RedisTestKind)
        async throws
    {
        try await MeshWorld.with(kind, nodes: ["origin"]) { world async throws in
            try await world.publishOnOrigin()
            let origin = world.coordinator("origin")
            // Refreshed just now: alive whatever its link says (aged by 200 ms of a 500 ms
            // limit, a slow machine between the two commands could make it look stale).
            try await Self.age("edge-a", by: 0, in: world)
            await origin.handle(.downstreamLinkQuiet(linkID: "origin>edge-a#1", downstreamNode: "edge-a"))
            #expect(Self.placedNode(await origin.placeViewer(stream: "live", request: Self.regionA)) == "edge-a")
        }
    }

    @Test(arguments: RedisTestKind.allCases) func lostUpstreamThatStoppedHeartbeatingLeavesTheRegistry(
        kind: RedisTestKind
    ) async throws {
        try await MeshWorld.with(kind, nodes: ["edge-b"]) { world async throws in
            try await Self.age("relay", by: 1_000, in: world)
            world.plane("edge-b").receiving(MeshFixture.record, overLink: "relay>edge-b#1", from: "relay", viewers: 1)
            await world.coordinator("edge-b").handle(
                .upstreamLinkDown(linkID: "relay>edge-b#1", upstreamNode: "relay", streams: []))
            #expect(try await NodeRegistry(client: world.redis).node(id: "relay") == nil)
        }
    }

    @Test(arguments: RedisTestKind.allCases) func afterRedisReturnsPlacementWaitsAsLongAsANodeMaySleepInItsBackoff(
        kind: RedisTestKind
    ) async throws {
        try await MeshWorld.withOwnRedis(kind, nodes: ["origin"]) { world async throws in
            let reader = world.coordinator("origin").stateReader
            world.server.stop()
            _ = try? await world.redis.command(["PING"])  // the client notices and reconnects
            try await world.server.start()  // empty
            await world.redis.waitUntil(available: true)
            let returned = try #require(world.redis.lastReturn)
            let topology = world.topology
            let empty = try await reader.liveState(stream: nil, origin: nil)
            // Past the registry's expiry (1.5 s) but inside a 5 s ±20 % reconnect back-off.
            #expect(reader.registrySettling(empty, role: .edge, topology: topology, now: returned + .seconds(2)) != nil)
            #expect(reader.registrySettling(empty, role: .edge, topology: topology, now: returned + .seconds(6)) != nil)
            #expect(reader.registrySettling(empty, role: .edge, topology: topology, now: returned + .seconds(7)) == nil)
            // Every edge back: no waiting.
            let registry = NodeRegistry(client: world.redis, ttl: .seconds(120))
            for node in topology.nodes(withRole: .edge) {
                try await registry.heartbeat(MeshFixture.status(of: node, updatedAt: 3))
            }
            let full = try await reader.liveState(stream: nil, origin: nil)
            #expect(reader.registrySettling(full, role: .edge, topology: topology, now: returned + .seconds(2)) == nil)
        }
    }
}
