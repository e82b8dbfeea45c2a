import MeshCluster
import MeshControl
import MeshRTC
import MeshTestSupport
import Testing

@testable import MeshCascade

/// Joining, re-pathing, idling out and draining (DESIGN.md "Relay links").
@Suite(.serialized) struct RelayTreeTests {
    @Test(arguments: RedisTestKind.allCases) func placedHereJoinsAlongOriginRelayEdge(kind: RedisTestKind) async throws
    {
        try await MeshWorld.with(kind, nodes: ["origin", "relay", "edge-b"]) { world async throws in
            try await world.publishOnOrigin()
            // Two viewers at once share one attempt.
            let edge = world.coordinator("edge-b")
            let grants = (try world.grant("edge-b", "live"), try world.grant("edge-b", "live"))
            async let first = edge.placeViewer(stream: "live", request: PlacementRequest(grant: grants.0))
            async let second = edge.placeViewer(stream: "live", request: PlacementRequest(grant: grants.1))
            #expect(await [first, second] == [.here, .here])
            let edgeLink = "relay>edge-b#1"
            let relayLink = "origin>relay#1"
            #expect(
                world.plane("edge-b").calls == ["prepare relay", "open \(edgeLink)", "receive live over \(edgeLink)"])
            #expect(
                world.plane("relay").calls == [
                    "acceptLink edge-b", "prepare origin", "open \(relayLink)", "receive live over \(relayLink)",
                    "forward live on \(edgeLink)",
                ])
            #expect(world.plane("origin").calls == ["acceptLink relay", "forward live on \(relayLink)"])
            #expect(
                world.mesh.calls == [
                    "openLink relay", "subscribe \(edgeLink) live on relay", "openLink origin",
                    "subscribe \(relayLink) live on origin",
                ])
            #expect(world.mesh.subscriptions.allSatisfy { $0.record == MeshFixture.record })
        }
    }

    @Test(arguments: RedisTestKind.allCases) func lostUpstreamIsRepathedToTheNextUpstreamWithTheSameRecord(
        kind: RedisTestKind
    ) async throws {
        try await MeshWorld.with(kind, nodes: ["origin", "relay", "edge-a"]) { world async throws in
            try await world.publishOnOrigin()
            // edge-a is fed straight from the origin; that link goes silent.
            world.plane("edge-a").receiving(MeshFixture.record, overLink: "origin>edge-a#9", from: "origin", viewers: 2)
            let edge = world.coordinator("edge-a")
            await edge.handle(.upstreamLinkDown(linkID: "origin>edge-a#9", upstreamNode: "origin", streams: ["live"]))
            let carried = try #require(world.plane("edge-a").stream("live"))
            #expect(carried.source == .link(linkID: "relay>edge-a#1", upstreamNode: "relay"))
            #expect(carried.record == MeshFixture.record)
            #expect(carried.viewers == 2)
            #expect(world.plane("edge-a").calls.first == "close origin>edge-a#9")
            #expect(world.mesh.subscriptions.first?.record == MeshFixture.record)
            #expect(edge.upstreams.hasFailed("origin", at: .now))
            #expect(await edge.metricsText().contains("meshcast_repath_seconds "))
        }
    }

    @Test(arguments: RedisTestKind.allCases) func withoutRedisTheTopologyNamesTheNextUpstream(kind: RedisTestKind)
        async throws
    {
        try await MeshWorld.withOwnRedis(kind, nodes: ["origin", "edge-a"]) { world async throws in
            world.plane("origin").publish(MeshFixture.record)
            world.plane("edge-a").receiving(MeshFixture.record, overLink: "relay>edge-a#9", from: "relay", viewers: 1)
            world.server.stop()
            await world.coordinator("edge-a").handle(
                .upstreamLinkDown(linkID: "relay>edge-a#9", upstreamNode: "relay", streams: ["live"]))
            let carried = try #require(world.plane("edge-a").stream("live"))
            #expect(carried.source == .link(linkID: "origin>edge-a#1", upstreamNode: "origin"))
        }
    }

    @Test(arguments: RedisTestKind.allCases) func idleStreamIsUnsubscribedAfterTheTopologyDelayThenItsLinkCloses(
        kind: RedisTestKind
    ) async throws {
        try await MeshWorld.with(kind, nodes: ["relay", "edge-b"]) { world async throws in
            let link = "relay>edge-b#1"
            world.plane("edge-b").receiving(MeshFixture.record, overLink: link, from: "relay", viewers: 0)
            let edge = world.coordinator("edge-b")
            let directory = StreamDirectory(client: world.redis)
            let start = ContinuousClock.now
            await edge.performDuties(now: start)
            #expect(try await directory.carriers(of: "live", now: WallClock.milliseconds()) == ["edge-b"])
            await edge.performDuties(now: start.advanced(by: .seconds(29)))
            #expect(world.plane("edge-b").stream("live") != nil)
            await edge.performDuties(now: start.advanced(by: .seconds(30)))
            #expect(world.plane("edge-b").stream("live") == nil)
            #expect(world.mesh.calls.contains("unsubscribe \(link) live on relay"))
            #expect(try await directory.carriers(of: "live", now: WallClock.milliseconds()).isEmpty)
            // The link now carries nothing: closed 30 s later, and the relay is told.
            await edge.performDuties(now: start.advanced(by: .seconds(31)))
            await edge.performDuties(now: start.advanced(by: .seconds(60)))
            #expect(!world.plane("edge-b").calls.contains("close \(link)"))
            await edge.performDuties(now: start.advanced(by: .seconds(61)))
            #expect(world.plane("edge-b").calls.contains("close \(link)"))
            #expect(world.mesh.calls.contains("closeLink \(link) on relay"))
        }
    }

    @Test(arguments: RedisTestKind.allCases) func watchedStreamStays(kind: RedisTestKind) async throws {
        try await MeshWorld.with(kind, nodes: ["edge-b"]) { world async throws in
            world.plane("edge-b").receiving(MeshFixture.record, overLink: "relay>edge-b#1", from: "relay", viewers: 1)
            let start = ContinuousClock.now
            await world.coordinator("edge-b").performDuties(now: start)
            await world.coordinator("edge-b").performDuties(now: start.advanced(by: .seconds(300)))
            #expect(world.plane("edge-b").stream("live") != nil)
            #expect(world.mesh.calls.isEmpty)
        }
    }

    @Test(arguments: RedisTestKind.allCases) func drainingUpstreamIsLeftMakeBeforeBreak(kind: RedisTestKind)
        async throws
    {
        try await MeshWorld.with(kind, nodes: ["origin", "relay", "edge-a"]) { world async throws in
            try await world.publishOnOrigin()
            let old = "relay>edge-a#7"
            world.plane("edge-a").receiving(MeshFixture.record, overLink: old, from: "relay", viewers: 3)
            try await NodeRegistry(client: world.redis).setDraining(id: "relay")
            await world.coordinator("edge-a").performDuties(now: .now)
            let carried = try #require(world.plane("edge-a").stream("live"))
            #expect(carried.source == .link(linkID: "origin>edge-a#1", upstreamNode: "origin"))
            let calls = world.plane("edge-a").calls
            let received = try #require(calls.firstIndex(of: "receive live over origin>edge-a#1"))
            let closed = try #require(calls.firstIndex(of: "close \(old)"))
            #expect(received < closed)
            let api = world.mesh.calls
            let subscribed = try #require(api.firstIndex(of: "subscribe origin>edge-a#1 live on origin"))
            let unsubscribed = try #require(api.firstIndex(of: "unsubscribe \(old) live on relay"))
            #expect(subscribed < unsubscribed)
            #expect(api.contains("closeLink \(old) on relay"))
        }
    }

    @Test(arguments: RedisTestKind.allCases) func publishedEventRegistersTheStreamThroughRun(kind: RedisTestKind)
        async throws
    {
        try await MeshWorld.with(kind, nodes: ["origin"]) { world async throws in
            let origin = world.coordinator("origin")
            let running = Task { await origin.run() }
            world.plane("origin").eventSink.yield(.streamPublished(MeshFixture.record))
            let directory = StreamDirectory(client: world.redis)
            var found: StreamRecord?
            // Readiness, not timing: wait (bounded) for the event task to write.
            for _ in 0..<200 where found == nil {
                found = try await directory.lookup("live")
                if found == nil { try await Task.sleep(for: .milliseconds(25)) }
            }
            running.cancel()
            #expect(found == MeshFixture.record)
        }
    }

    @Test(arguments: RedisTestKind.allCases) func internalRequestsMapDataPlaneRefusals(kind: RedisTestKind) async throws
    {
        try await MeshWorld.with(kind, nodes: ["relay"]) { world async throws in
            let relay = world.coordinator("relay")
            await #expect(throws: InternalRequestError.unknownLink("x")) { try await relay.closeLink("x") }
            var mismatched = RelaySubscriptionRequest(record: MeshFixture.record)
            mismatched.stream = "other"
            await #expect(throws: InternalRequestError.self) { try await relay.subscribe(link: "x", mismatched) }
        }
    }
}
