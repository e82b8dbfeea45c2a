import Foundation
import MeshCluster
import MeshControl
import MeshTestSupport
import Testing

@testable import MeshCascade

/// `GET /v1/mesh`'s figures (issue 16), read from a real Redis: node states from the registry and
/// the topology, heartbeat ages from `PTTL`, streams with carriers and viewer reports, and the
/// one-second cache.
@Suite struct MeshOverviewReaderTests {
    @Test func nodesStreamsAndTheirStatesComeFromRedis() async throws {
        let world = try await MeshWorld(nodes: [])
        let registry = NodeRegistry(client: world.redis, ttl: .seconds(120))
        let topology = world.topology
        // The world registered every node; the relay dies, edge-b stops, a stranger appears.
        try await registry.remove(id: "relay")
        var stopping = MeshFixture.status(of: try #require(topology.node(id: "edge-b")))
        stopping.stopping = true
        stopping.drainingSince = 1_700_000_000_000
        stopping.load = NodeStatus.Load(cpu: 0.5, egressBitsPerSecond: 3_000_000, sessions: 7)
        _ = try await registry.heartbeat(stopping)
        var stranger = MeshFixture.status(of: try #require(topology.node(id: "edge-a")))
        stranger.id = "edge-z"
        // How NodeAnnouncer states a node without limits.
        stranger.capacity = NodeStatus.Capacity(sessions: Int(Int32.max), egressBitsPerSecond: .max)
        _ = try await registry.heartbeat(stranger)
        let directory = StreamDirectory(client: world.redis)
        try await directory.register(MeshFixture.record)
        let now = WallClock.milliseconds()
        try await directory.addCarrier(stream: "live", node: "origin", now: now)
        try await directory.addCarrier(stream: "live", node: "edge-a", now: now)
        try await directory.reportViewers(stream: "live", node: "edge-a", count: 4, now: now)
        try await PublishedTopology.publish(topology, to: world.redis)
        // Both ends of origin → edge-a report (rates come from what arrived, the RTT from the
        // upstream end, the larger loss wins); only the upstream end of origin → relay (its
        // downstream end is dead). edge-a runs an older topology.
        let reports = NodeReports(client: world.redis, ttl: .seconds(120))
        let running = MeshOverviewReader.digest(of: topology)
        try await reports.publish(
            NodeReport(
                node: "origin", topology: running, placementsPerSecond: 12, placementP99Seconds: 0.004,
                links: [
                    LinkReport(
                        id: "l1", upstream: "origin", downstream: "edge-a", reportedBy: "origin", streams: ["live"],
                        packetsPerSecond: 110, bitsPerSecond: 1_200_000, roundTripMilliseconds: 2.5,
                        fractionLost: 0.01),
                    LinkReport(
                        id: "l2", upstream: "origin", downstream: "relay", reportedBy: "origin", streams: [],
                        packetsPerSecond: 0, roundTripMilliseconds: nil, fractionLost: 0),
                ]))
        try await reports.publish(
            NodeReport(
                node: "edge-a", topology: "0000000000000000", placementsPerSecond: 0, placementP99Seconds: nil,
                links: [
                    LinkReport(
                        id: "l1", upstream: "origin", downstream: "edge-a", reportedBy: "edge-a", streams: ["live"],
                        packetsPerSecond: 100, bitsPerSecond: 1_100_000, roundTripMilliseconds: nil,
                        fractionLost: 0.03)
                ]))
        // edge-a lost its relay and moved "live" to the origin.
        let failover = FailoverRecord(
            at: now, node: "edge-a", stream: "live", from: "relay", to: "origin", cause: .upstreamLost,
            milliseconds: 180)
        try await FailoverLog(client: world.redis).record(failover)
        let reader = MeshOverviewReader(
            nodeID: "origin", topology: TopologyInForce(topology), redis: world.redis, registry: registry,
            directory: directory)
        let overview = try #require(await reader.read())
        #expect(
            overview.failovers == [
                MeshOverview.Failover(
                    at: now, node: "edge-a", stream: "live", from: "relay", to: "origin", cause: "upstream lost",
                    milliseconds: 180)
            ])
        #expect(overview.drainDeadlineSeconds == topology.policies.drainDeadline)
        #expect(overview.nodes.map(\.drainingSince) == [nil, nil, nil, 1_700_000_000_000, nil])
        #expect(overview.mesh == "test" && overview.answeredBy == "origin")
        #expect(overview.appliedTopology == overview.answeringNodeTopology)
        #expect(overview.appliedTopology?.count == 16)
        #expect(overview.regions.map(\.name) == ["a", "b"])
        #expect(overview.nodes.map(\.id) == ["origin", "relay", "edge-a", "edge-b", "edge-z"])
        #expect(overview.nodes.map(\.state) == ["serving", "stale", "serving", "draining", "unlisted"])
        let edgeB = overview.nodes[3]
        #expect(edgeB.sessions == 7 && edgeB.sessionCapacity == 100 && edgeB.cpu == 0.5)
        #expect(edgeB.egressBitsPerSecond == 3_000_000 && edgeB.egressCapacityBitsPerSecond == 1_000_000_000)
        #expect(overview.nodes[0].topology == running && overview.answeringNodeTopology == running)
        #expect(overview.nodes[0].placementsPerSecond == 12 && overview.nodes[0].placementP99Seconds == 0.004)
        #expect(overview.nodes[2].topology == "0000000000000000")
        #expect(overview.nodes[3].topology == nil)
        #expect(overview.nodes[4].sessionCapacity == 0 && overview.nodes[4].egressCapacityBitsPerSecond == 0)
        // Just written with a 120 s TTL, so younger than that on Redis's clock (how young depends
        // on the machine's load: 8 s was seen on a busy one).
        #expect((overview.nodes[0].heartbeatAgeMilliseconds ?? .max) < 120_000)
        #expect(overview.nodes[1].heartbeatAgeMilliseconds == nil)
        #expect(
            overview.links == [
                MeshOverview.Link(
                    id: "l1", upstream: "origin", downstream: "edge-a", streams: ["live"], packetsPerSecond: 100,
                    bitsPerSecond: 1_100_000, roundTripMilliseconds: 2.5, fractionLost: 0.03),
                MeshOverview.Link(
                    id: "l2", upstream: "origin", downstream: "relay", streams: [], packetsPerSecond: 0,
                    roundTripMilliseconds: nil, fractionLost: 0),
            ])
        #expect(
            overview.streams == [
                MeshOverview.Stream(
                    name: "live", origin: "origin", startedAt: MeshFixture.record.startedAt,
                    carriers: ["edge-a", "origin"], viewers: ["edge-a": 4])
            ])
    }

    /// The cache's age limit is the test's own (a minute, then 300 ms): with the node's second,
    /// a loaded machine could take longer than the limit between two calls that must share it.
    @Test func answersComeFromACacheUntilTheyAreTooOld() async throws {
        let world = try await MeshWorld(nodes: [])
        let registry = NodeRegistry(client: world.redis, ttl: .seconds(120))
        let reader = MeshOverviewReader(
            nodeID: "origin", topology: TopologyInForce(world.topology), redis: world.redis, registry: registry,
            directory: StreamDirectory(client: world.redis), maximumAge: .seconds(60))
        // Many callers at once share one read.
        let answers = await withTaskGroup(of: MeshOverview?.self) { group in
            for _ in 0..<20 { group.addTask { await reader.overview() } }
            return await group.reduce(into: [MeshOverview?]()) { $0.append($1) }
        }
        let first = try #require(answers.first ?? nil)
        #expect(Set(answers.map { $0?.readAt }).count == 1)
        try await registry.remove(id: "edge-a")
        #expect(await reader.overview() == first)
        let quick = MeshOverviewReader(
            nodeID: "origin", topology: TopologyInForce(world.topology), redis: world.redis, registry: registry,
            directory: StreamDirectory(client: world.redis), maximumAge: .milliseconds(300))
        let early = try #require(await quick.overview())
        try await Task.sleep(for: .milliseconds(400))
        let later = try #require(await quick.overview())
        #expect(later.readAt > early.readAt)
        #expect(later.nodes.first { $0.id == "edge-a" }?.state == "stale")
    }

    @Test(arguments: RedisTestKind.allCases) func withoutRedisThereIsNoOverview(kind: RedisTestKind) async throws {
        try await MeshWorld.withOwnRedis(kind, nodes: []) { world async throws in
            let reader = MeshOverviewReader(
                nodeID: "origin", topology: TopologyInForce(world.topology), redis: world.redis,
                registry: NodeRegistry(client: world.redis), directory: StreamDirectory(client: world.redis))
            world.server.stop()
            #expect(await reader.overview() == nil)
        }
    }
}
