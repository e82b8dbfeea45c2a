import MeshCluster
import MeshControl
import MeshTestSupport
import Testing

@testable import MeshCascade

/// The coordinator places clients by this node's role policy (what its role module states),
/// not by comparing roles: who takes publishers, who serves viewers.
@Suite(.serialized) struct RolePlacementTests {
    private func refusal(_ verdict: PlacementVerdict) -> (status: Int, reason: String)? {
        guard case .refused(let status, let reason) = verdict else { return nil }
        return (status, reason)
    }

    @Test(arguments: RedisTestKind.allCases) func aRelayServesNoViewersEvenWithAGrantForItself(kind: RedisTestKind)
        async throws
    {
        try await MeshWorld.with(kind, nodes: ["origin", "relay"]) { world async throws in
            try await world.publishOnOrigin()
            let relay = world.coordinator("relay")
            let granted = await relay.placeViewer(
                stream: "live", request: PlacementRequest(grant: try world.grant("relay", "live")))
            #expect(refusal(granted)?.status == 403)
            #expect(refusal(granted)?.reason == "this node serves no viewers; watch on an edge")
            // Refused before joining the tree: the relay did not pull the stream for nobody.
            #expect(world.plane("relay").stream("live") == nil)
            // Without a grant the relay places the viewer like any node: on the edge of its region.
            guard
                case .redirect("edge-b", _, _) = await relay.placeViewer(
                    stream: "live", request: PlacementRequest(peerAddress: "10.2.3.4"))
            else {
                Issue.record("a viewer asking a relay is sent to the edge of its region")
                return
            }
        }
    }

    @Test(arguments: RedisTestKind.allCases) func anEdgeRefusesAGrantedPublisherWithTheSameStatusAsBefore(
        kind: RedisTestKind
    ) async throws {
        try await MeshWorld.with(kind, nodes: ["origin", "edge-b"]) { world async throws in
            let granted = await world.coordinator("edge-b").placePublisher(
                stream: "new", request: PlacementRequest(grant: try world.grant("edge-b", "new", action: .publish)))
            #expect(refusal(granted)?.status == 403)
            #expect(refusal(granted)?.reason == "this node does not take publishers; publish to an origin")
        }
    }

    @Test func theCoordinatorFollowsItsPolicyNotTheTopologysRole() async throws {
        // The topology calls "origin" an origin and "edge-b" an edge; their policies say otherwise.
        let world = try await MeshWorld(nodes: ["origin", "edge-b"], roles: ["origin": .edge, "edge-b": .origin])
        let refused = await world.coordinator("origin").placePublisher(
            stream: "new", request: PlacementRequest(grant: try world.grant("origin", "new", action: .publish)))
        #expect(refusal(refused)?.status == 403)
        let taken = await world.coordinator("edge-b").placePublisher(
            stream: "new", request: PlacementRequest(grant: try world.grant("edge-b", "new", action: .publish)))
        #expect(taken == .here)
    }

    @Test(arguments: RedisTestKind.allCases) func aRecorderTakesNeitherPublishersNorViewers(kind: RedisTestKind)
        async throws
    {
        try await MeshWorld.with(kind, nodes: ["origin", "relay"], roles: ["relay": .recorder]) { world async throws in
            try await world.publishOnOrigin()
            let recorder = world.coordinator("relay")
            let publisher = await recorder.placePublisher(
                stream: "new", request: PlacementRequest(grant: try world.grant("relay", "new", action: .publish)))
            #expect(refusal(publisher)?.status == 403)
            let viewer = await recorder.placeViewer(
                stream: "live", request: PlacementRequest(grant: try world.grant("relay", "live")))
            #expect(refusal(viewer)?.status == 403)
        }
    }

    @Test(arguments: RedisTestKind.allCases) func whileRedisIsAwayOnlyANodeThatTakesPublishersServesThem(
        kind: RedisTestKind
    ) async throws {
        try await MeshWorld.withOwnRedis(kind, nodes: ["origin", "edge-b"]) { world async throws in
            world.server.stop()
            #expect(
                await world.coordinator("origin").placePublisher(stream: "new", request: PlacementRequest()) == .here)
            guard
                case .unavailable = await world.coordinator("edge-b").placePublisher(
                    stream: "new", request: PlacementRequest())
            else {
                Issue.record("an edge cannot place a publisher while Redis is away")
                return
            }
        }
    }
}
