import MeshCluster
import MeshControl
import MeshCrypto
import MeshTestSupport
import Testing

@testable import MeshCascade

/// Viewer and publisher placement over a live Redis (DESIGN.md "Placement").
@Suite(.serialized) struct PlacementTests {
    @Test(arguments: RedisTestKind.allCases) func viewerFromRegionBIsSentToEdgeBWithAReservation(kind: RedisTestKind)
        async throws
    {
        try await MeshWorld.with(kind, nodes: ["origin", "edge-b"]) { world async throws in
            try await world.publishOnOrigin()
            let verdict = await world.coordinator("origin").placeViewer(
                stream: "live", request: PlacementRequest(peerAddress: "10.2.3.4"))
            guard case .redirect(let node, let apiBase, let grant) = verdict else {
                Issue.record("expected a redirect, got \(verdict)")
                return
            }
            #expect(node == "edge-b")
            #expect(apiBase == "http://127.0.0.1:18004")
            #expect(PlacementGrantSigner.unverifiedGrant(grant)?.reserved == true)
            let reservations = CapacityReservation(client: world.redis)
            #expect(try await reservations.pending(node: "edge-b", now: WallClock.milliseconds()) == 1)
            // The viewer arrives on edge-b: the slot goes back.
            await world.coordinator("edge-b").viewerArrived(stream: "live", grant: grant)
            #expect(try await reservations.pending(node: "edge-b", now: WallClock.milliseconds()) == 0)
            // The region parameter wins over the address.
            let other = await world.coordinator("origin").placeViewer(
                stream: "live", request: PlacementRequest(peerAddress: "10.2.3.4", regionParameter: "a"))
            guard case .redirect("edge-a", _, _) = other else {
                Issue.record("expected edge-a, got \(other)")
                return
            }
        }
    }

    @Test(arguments: RedisTestKind.allCases) func refusedReservationFallsToTheNextEdge(kind: RedisTestKind) async throws
    {
        try await MeshWorld.with(kind, nodes: ["origin"]) { world async throws in
            try await world.publishOnOrigin()
            // edge-b reports room for one session in Redis, and another placement holds that slot.
            try await NodeRegistry(client: world.redis, ttl: .seconds(120)).heartbeat(
                NodeStatus(
                    id: "edge-b", role: .edge, region: "b", apiURL: "http://127.0.0.1:18004",
                    mediaAddress: "127.0.0.1:19004",
                    capacity: NodeStatus.Capacity(sessions: 1, egressBitsPerSecond: 1_000_000_000), updatedAt: 1))
            let reservations = CapacityReservation(client: world.redis)
            #expect(
                try await reservations.reserve(node: "edge-b", token: "other", now: WallClock.milliseconds())
                    == .reserved(pending: 1))
            let verdict = await world.coordinator("origin").placeViewer(
                stream: "live", request: PlacementRequest(peerAddress: "10.2.3.4"))
            guard case .redirect("edge-a", _, let grant) = verdict,
                PlacementGrantSigner.unverifiedGrant(grant)?.reserved == true
            else {
                Issue.record("expected edge-a with a reservation, got \(verdict)")
                return
            }
        }
    }

    @Test(arguments: RedisTestKind.allCases) func unknownStreamIsRefusedWith404(kind: RedisTestKind) async throws {
        try await MeshWorld.with(kind, nodes: ["origin", "edge-b"]) { world async throws in
            let verdict = await world.coordinator("origin").placeViewer(
                stream: "nope", request: PlacementRequest(peerAddress: "10.2.3.4"))
            guard case .refused(404, _) = verdict else {
                Issue.record("expected 404, got \(verdict)")
                return
            }
            let placed = await world.coordinator("edge-b").placeViewer(
                stream: "nope", request: PlacementRequest(grant: try world.grant("edge-b", "nope")))
            guard case .refused(404, _) = placed else {
                Issue.record("expected 404 on the edge too, got \(placed)")
                return
            }
        }
    }

    @Test(arguments: RedisTestKind.allCases) func redisAwayAnswersUnavailableExceptForWhatThisNodeCanServe(
        kind: RedisTestKind
    ) async throws {
        try await MeshWorld.withOwnRedis(kind, nodes: ["origin", "edge-b"]) { world async throws in
            try await world.publishOnOrigin()
            world.plane("edge-b").receiving(MeshFixture.record, overLink: "relay>edge-b#1", from: "relay", viewers: 1)
            world.server.stop()
            let verdict = await world.coordinator("origin").placeViewer(
                stream: "live", request: PlacementRequest(peerAddress: "10.2.3.4"))
            guard case .unavailable(_, 2) = verdict else {
                Issue.record("expected 503 with Retry-After 2, got \(verdict)")
                return
            }
            // Placed here and already carried: no Redis needed.
            #expect(
                await world.coordinator("edge-b").placeViewer(
                    stream: "live", request: PlacementRequest(grant: try world.grant("edge-b", "live")))
                    == .here)
            // Placed here but not carried: the record is in Redis, which is away.
            let other = await world.coordinator("edge-b").placeViewer(
                stream: "other", request: PlacementRequest(grant: try world.grant("edge-b", "other")))
            guard case .unavailable(_, 2) = other else {
                Issue.record("expected 503, got \(other)")
                return
            }
            // An origin keeps taking publishers; an edge cannot say where they go.
            #expect(
                await world.coordinator("origin").placePublisher(stream: "new", request: PlacementRequest()) == .here)
            guard
                case .unavailable(_, 2) = await world.coordinator("edge-b").placePublisher(
                    stream: "new", request: PlacementRequest())
            else {
                Issue.record("expected 503 for a publisher on an edge")
                return
            }
        }
    }

    @Test(arguments: RedisTestKind.allCases) func publisherOnAnEdgeIsSentToTheOrigin(kind: RedisTestKind) async throws {
        try await MeshWorld.with(kind, nodes: ["origin", "edge-b"]) { world async throws in
            let verdict = await world.coordinator("edge-b").placePublisher(
                stream: "new", request: PlacementRequest(peerAddress: "10.2.3.4"))
            guard case .redirect("origin", "http://127.0.0.1:18001", let grant) = verdict else {
                Issue.record("expected a redirect to the origin, got \(verdict)")
                return
            }
            #expect(PlacementGrantSigner.unverifiedGrant(grant)?.action == .publish)
            #expect(
                await world.coordinator("origin").placePublisher(stream: "new", request: PlacementRequest(grant: grant))
                    == .here)
        }
    }

    @Test(arguments: RedisTestKind.allCases) func metricsTextHasDecisionQuantilesCountsAndLinkFigures(
        kind: RedisTestKind
    ) async throws {
        try await MeshWorld.with(kind, nodes: ["origin", "edge-b"]) { world async throws in
            try await world.publishOnOrigin()
            let origin = world.coordinator("origin")
            _ = await origin.placeViewer(stream: "live", request: PlacementRequest(peerAddress: "10.2.3.4"))
            _ = await origin.placeViewer(stream: "nope", request: PlacementRequest(peerAddress: "10.2.3.4"))
            let text = await origin.metricsText()
            #expect(text.contains("meshcast_placement_decision_seconds{quantile=\"0.5\"} "))
            #expect(text.contains("meshcast_placement_decision_seconds{quantile=\"0.99\"} "))
            #expect(text.contains("meshcast_placement_decision_seconds_count 2\n"))
            #expect(text.contains("meshcast_placement_decisions_total{verdict=\"redirect\"} 1\n"))
            #expect(text.contains("meshcast_placement_decisions_total{verdict=\"refused\"} 1\n"))
            #expect(!text.contains("NaN"))

            world.plane("edge-b").receiving(MeshFixture.record, overLink: "relay>edge-b#1", from: "relay", viewers: 1)
            let edgeText = await world.coordinator("edge-b").metricsText()
            let labels = "{link=\"relay>edge-b#1\",peer=\"relay\",end=\"downstream\"}"
            #expect(edgeText.contains("meshcast_relay_link_rtt_seconds\(labels) 0.012\n"))
            #expect(edgeText.contains("meshcast_relay_link_loss_ratio\(labels) 0.25\n"))
            #expect(edgeText.contains("meshcast_relay_link_packets_total\(labels) 900\n"))
            #expect(edgeText.contains("meshcast_relay_link_retransmissions_total\(labels) 7\n"))
            #expect(edgeText.contains("meshcast_relay_link_dropped_total\(labels) 3\n"))
        }
    }
}

/// The window the decision quantiles are taken over.
@Suite struct DecisionTimingsTests {
    @Test func nearestRankQuantilesOverTheLastWindow() {
        var timings = DecisionTimings()
        #expect(timings.quantile(0.5) == nil)
        for value in 1...100 { timings.record(seconds: Double(value), verdict: "here") }
        #expect(timings.quantile(0.5) == 50)
        #expect(timings.quantile(0.99) == 99)
        // Old samples leave the window: after 1024 more of 1000 s, only those remain.
        for _ in 0..<DecisionTimings.window { timings.record(seconds: 1000, verdict: "redirect") }
        #expect(timings.quantile(0.5) == 1000)
        #expect(timings.count == UInt64(100 + DecisionTimings.window))
        #expect(timings.verdicts["here"] == 100)
    }
}
