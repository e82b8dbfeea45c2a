import MeshCluster
import MeshControl
import MeshCrypto
import MeshTestSupport
import Testing

@testable import MeshCascade

/// What a hostile client tried against placement (issue 17): forged, misdirected, expired and
/// reused grants, redirects it never follows, publishing on an edge, a second publisher.
@Suite(.serialized) struct PlacementHostileTests {
    private func refusal(_ verdict: PlacementVerdict) -> (status: Int, reason: String)? {
        guard case .refused(let status, let reason) = verdict else { return nil }
        return (status, reason)
    }

    @Test(arguments: RedisTestKind.allCases) func onlyAnUnexpiredUnusedGrantForThisNodeStreamAndActionPlacesAClient(
        kind: RedisTestKind
    ) async throws {
        try await MeshWorld.with(kind, nodes: ["origin", "edge-b"]) { world async throws in
            try await world.publishOnOrigin()
            world.plane("edge-b").receiving(MeshFixture.record, overLink: "relay>edge-b#1", from: "relay", viewers: 1)
            let edge = world.coordinator("edge-b")
            func place(_ grant: String) async -> PlacementVerdict {
                await edge.placeViewer(stream: "live", request: PlacementRequest(grant: grant))
            }

            let good = try world.grant("edge-b", "live")
            #expect(await place(good) == .here)
            #expect(refusal(await place(good))?.reason.contains("already used") == true)
            #expect(
                refusal(await place(try world.grant("edge-b", "live", expiresIn: -1)))?.reason.contains("expired")
                    == true)
            #expect(refusal(await place(try world.grant("edge-a", "live")))?.status == 403)
            #expect(refusal(await place(try world.grant("edge-b", "other")))?.status == 403)
            #expect(refusal(await place(try world.grant("edge-b", "live", action: .publish)))?.status == 403)
            // Signed with another mesh's secret, altered in transit, or not a grant at all.
            let stranger = try PlacementGrantSigner(clusterSecret: Array("another mesh's secret, 32 bytes".utf8))
            let foreign = try stranger.sign(
                PlacementGrant(
                    node: "edge-b", stream: "live", action: .view, id: "f", reserved: false,
                    expiresAt: WallClock.milliseconds() + 5000))
            var tampered = Array(try world.grant("edge-b", "live").utf8)
            tampered[tampered.count / 2] =
                tampered[tampered.count / 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            for forged in [foreign, String(decoding: tampered, as: UTF8.self), "a.b.c", "placed=edge-b", ""] {
                #expect(refusal(await place(forged))?.status == 403, "\(forged)")
            }
            let text = await edge.metricsText()
            #expect(text.contains("meshcast_placement_grants_refused_total 10\n"))
        }
    }

    @Test(arguments: RedisTestKind.allCases)
    func aThousandUnfollowedRedirectsFromOneClientLeaveOtherViewersPlaceable(kind: RedisTestKind) async throws {
        // Grants that outlive the test, so a slow machine's 1000 placements stay in one window.
        try await MeshWorld.with(kind, nodes: ["origin"], grantLifetime: .seconds(600)) { world async throws in
            try await world.publishOnOrigin()
            let origin = world.coordinator("origin")
            let attacker = PlacementRequest(peerAddress: "10.2.3.4", token: "attacker's view token")
            var redirects = 0
            for _ in 0..<1000 {
                if case .redirect = await origin.placeViewer(stream: "live", request: attacker) { redirects += 1 }
            }
            #expect(redirects == 1000)
            let reservations = CapacityReservation(client: world.redis)
            let now = WallClock.milliseconds()
            let held =
                try await reservations.pending(node: "edge-a", now: now)
                + reservations.pending(node: "edge-b", now: now)
            #expect(held <= RedirectQuota(client: world.redis).limit)

            // Another client is placed with a reserved slot; the attacker from a new address is
            // still counted by its token.
            let viewer = await origin.placeViewer(
                stream: "live", request: PlacementRequest(peerAddress: "10.2.7.7", token: "a viewer's token"))
            guard case .redirect("edge-b", _, let grant) = viewer else {
                Issue.record("expected edge-b, got \(viewer)")
                return
            }
            #expect(PlacementGrantSigner.unverifiedGrant(grant)?.reserved == true)
            let moved = await origin.placeViewer(
                stream: "live", request: PlacementRequest(peerAddress: "10.2.9.9", token: "attacker's view token"))
            guard case .redirect(_, _, let unreserved) = moved else {
                Issue.record("expected a redirect, got \(moved)")
                return
            }
            #expect(PlacementGrantSigner.unverifiedGrant(unreserved)?.reserved == false)
            #expect(await origin.metricsText().contains("meshcast_placement_unreserved_redirects_total 993\n"))
        }
    }

    @Test(arguments: RedisTestKind.allCases) func anEdgeNeverTakesAPublisherEvenWithAGrant(kind: RedisTestKind)
        async throws
    {
        try await MeshWorld.with(kind, nodes: ["origin", "edge-b"]) { world async throws in
            let edge = world.coordinator("edge-b")
            let granted = await edge.placePublisher(
                stream: "new", request: PlacementRequest(grant: try world.grant("edge-b", "new", action: .publish)))
            #expect(refusal(granted)?.status == 403)
            guard case .redirect("origin", _, _) = await edge.placePublisher(stream: "new", request: PlacementRequest())
            else {
                Issue.record("a publisher on an edge is sent to the origin")
                return
            }
        }
    }

    @Test(arguments: RedisTestKind.allCases) func aSecondPublisherOfALiveStreamIsRefusedOnEveryNode(kind: RedisTestKind)
        async throws
    {
        try await MeshWorld.with(kind, nodes: ["origin", "edge-b"]) { world async throws in
            let origin = world.coordinator("origin")
            // Another origin (not in this node's topology) published 'taken' first.
            let claims = PublisherClaims(client: world.redis)
            #expect(
                try await claims.claim(
                    stream: "taken", origin: "origin-2", limit: nil, now: WallClock.milliseconds())
                    == .claimed)
            let second = await origin.placePublisher(stream: "taken", request: PlacementRequest())
            #expect(refusal(second)?.status == 409)
            #expect(refusal(second)?.reason.contains("origin-2") == true)
            // This origin's own stream: claimed here; a failed publisher gives the claim back.
            #expect(await origin.placePublisher(stream: "mine", request: PlacementRequest()) == .here)
            #expect(
                try await claims.claim(
                    stream: "mine", origin: "origin-2", limit: nil, now: WallClock.milliseconds())
                    == .publishedElsewhere(origin: "origin"))
            // A second publisher of a stream live here is refused (409) without freeing the claim.
            world.plane("origin").publish(StreamRecord(name: "mine", originNode: "origin", tracks: [], startedAt: 1))
            await origin.publisherSettled(stream: "mine", published: false)
            #expect(
                try await claims.claim(
                    stream: "mine", origin: "origin-2", limit: nil, now: WallClock.milliseconds())
                    == .publishedElsewhere(origin: "origin"))
            world.plane("origin").unpublish("mine")
            await origin.publisherSettled(stream: "mine", published: false)
            #expect(
                try await claims.claim(
                    stream: "mine", origin: "origin-2", limit: nil, now: WallClock.milliseconds())
                    == .claimed)
        }
    }

    @Test(arguments: RedisTestKind.allCases) func maxViewersPerStreamCountsEveryNodesViewers(kind: RedisTestKind)
        async throws
    {
        try await MeshWorld.with(
            kind, nodes: ["origin", "edge-a", "edge-b"], policies: StreamPolicies(maxViewersPerStream: 5)
        ) { world in
            try await world.publishOnOrigin()
            world.plane("edge-a").receiving(MeshFixture.record, overLink: "origin>edge-a#1", from: "origin", viewers: 3)
            world.plane("edge-b").receiving(MeshFixture.record, overLink: "relay>edge-b#1", from: "relay", viewers: 1)
            for node in ["edge-a", "edge-b"] { await world.coordinator(node).performDuties(now: .now) }
            let origin = world.coordinator("origin")
            guard
                case .redirect = await origin.placeViewer(
                    stream: "live", request: PlacementRequest(peerAddress: "10.2.3.4"))
            else {
                Issue.record("4 of 5 viewers: one more is placed")
                return
            }
            world.plane("edge-b").receiving(MeshFixture.record, overLink: "relay>edge-b#1", from: "relay", viewers: 2)
            await world.coordinator("edge-b").performDuties(now: .now)
            let full = await origin.placeViewer(stream: "live", request: PlacementRequest(peerAddress: "10.2.3.4"))
            guard case .unavailable(let reason, _) = full else {
                Issue.record("5 of 5 viewers across two edges: expected 503, got \(full)")
                return
            }
            #expect(reason.contains("most viewers (5)"))
        }
    }

    @Test(arguments: RedisTestKind.allCases) func publisherClaimsHoldTheMeshLimitUnderConcurrency(kind: RedisTestKind)
        async throws
    {
        try await MeshWorld.with(kind, nodes: []) { world async throws in
            let claims = PublisherClaims(client: world.redis)
            let now = WallClock.milliseconds()
            let outcomes = await withTaskGroup(of: PublisherClaims.Outcome?.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        try? await claims.claim(stream: "s\(index)", origin: "origin-\(index % 2)", limit: 5, now: now)
                    }
                }
                var all: [PublisherClaims.Outcome?] = []
                for await outcome in group { all.append(outcome) }
                return all
            }
            #expect(outcomes.filter { $0 == .claimed }.count == 5)
            #expect(outcomes.filter { $0 == .full }.count == 35)
            // A claim expires with its origin: after its TTL another origin may take the stream.
            let later = now + UInt64(claims.ttl.components.seconds * 1000) + 1
            #expect(try await claims.claim(stream: "s0", origin: "origin-9", limit: 5, now: later) == .claimed)
        }
    }
}
