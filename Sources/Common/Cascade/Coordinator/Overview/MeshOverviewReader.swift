import Foundation
import MeshCluster
import MeshControl
import MeshCrypto
import Synchronization

/// Reads the `/v1/mesh` overview out of Redis: the node registry (with each entry's heartbeat
/// age and drain start), the stream directory (records, carriers, viewer reports), the applied
/// topology, each node's own report (the topology it runs, placement figures, relay link ends)
/// and the failover log (the newest streams moved to another upstream).
///
/// A dashboard full of viewers must not load the mesh, so answers come from a cache at most
/// ``maximumAge`` old, and callers that miss it at the same time share one read.
final class MeshOverviewReader: Sendable {
    /// How old an answer may be.
    let maximumAge: Duration

    let nodeID: String
    let topology: TopologyInForce
    let redis: RedisClient
    let registry: NodeRegistry
    let directory: StreamDirectory
    let nodeReports: NodeReports
    let failovers: FailoverLog
    private let cache = Mutex<Cache>(Cache())

    private struct Cache {
        var last: (overview: MeshOverview, at: ContinuousClock.Instant)?
        var reading: Task<MeshOverview?, Never>?
    }

    private enum Step {
        case cached(MeshOverview)
        case wait(Task<MeshOverview?, Never>)
    }

    init(
        nodeID: String, topology: TopologyInForce, redis: RedisClient, registry: NodeRegistry,
        directory: StreamDirectory, maximumAge: Duration = .seconds(1)
    ) {
        self.maximumAge = maximumAge
        self.nodeID = nodeID
        self.topology = topology
        self.redis = redis
        self.registry = registry
        self.directory = directory
        nodeReports = NodeReports(client: redis)
        failovers = FailoverLog(client: redis)
    }

    /// The overview, from the cache when fresh; `nil` when Redis cannot be read.
    func overview() async -> MeshOverview? {
        let step = cache.withLock { cache -> Step in
            if let last = cache.last, last.at.duration(to: .now) < maximumAge { return .cached(last.overview) }
            if let reading = cache.reading { return .wait(reading) }
            // The task takes the lock to finish, so it cannot end before it is recorded here.
            let reading = Task { await self.readAndKeep() }
            cache.reading = reading
            return .wait(reading)
        }
        switch step {
        case .cached(let overview): return overview
        case .wait(let reading): return await reading.value
        }
    }

    private func readAndKeep() async -> MeshOverview? {
        let overview = await read()
        cache.withLock { cache in
            cache.reading = nil
            if let overview { cache.last = (overview, .now) }
        }
        return overview
    }

    /// One read of everything, straight from Redis.
    func read() async -> MeshOverview? {
        guard redis.isAvailable else { return nil }
        let topology = self.topology.topology
        let now = WallClock.milliseconds()
        do throws(RedisError) {
            let statuses = try await registry.nodes()
            let ages = try await registry.heartbeatAges(ids: statuses.map(\.id))
            let applied = try await PublishedTopology.fetchJSON(from: redis)
            let ids = Set(topology.nodes.map(\.id)).union(statuses.map(\.id)).sorted()
            let reports = try await nodeReports.reports(of: ids)
            let links = Self.links(reports.flatMap(\.links))
            var streams: [MeshOverview.Stream] = []
            for name in try await directory.streams() {
                guard let record = try await directory.lookup(name) else { continue }
                streams.append(
                    MeshOverview.Stream(
                        name: name, origin: record.originNode, startedAt: record.startedAt,
                        carriers: try await directory.carriers(of: name, now: now),
                        viewers: try await directory.viewerReports(of: name, now: now)))
            }
            return MeshOverview(
                mesh: topology.mesh, answeredBy: nodeID, readAt: now,
                appliedTopology: applied.map { Self.digest(Array($0.utf8)) },
                answeringNodeTopology: Self.digest(of: topology),
                regions: topology.regions.map {
                    MeshOverview.Region(
                        name: $0.name, latitude: $0.coordinates?.latitude, longitude: $0.coordinates?.longitude)
                },
                nodes: Self.nodes(topology: topology, statuses: statuses, ages: ages, reports: reports),
                streams: streams,
                links: links,
                failovers: try await failovers.recent().map {
                    MeshOverview.Failover(
                        at: $0.at, node: $0.node, stream: $0.stream, from: $0.from, to: $0.to, cause: $0.cause.rawValue,
                        milliseconds: $0.milliseconds, failure: $0.failure)
                },
                drainDeadlineSeconds: topology.policies.drainDeadline)
        } catch {
            return nil
        }
    }

    /// The topology's nodes in its order, then registered nodes it does not name.
    static func nodes(
        topology: Topology, statuses: [NodeStatus], ages: [String: UInt64], reports: [NodeReport] = []
    ) -> [MeshOverview.Node] {
        let byID = Dictionary(statuses.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var nodes = topology.nodes.map { node -> MeshOverview.Node in
            guard let status = byID[node.id] else {
                return MeshOverview.Node(
                    id: node.id, role: node.role.rawValue, region: node.region, state: "stale",
                    heartbeatAgeMilliseconds: nil, sessions: 0, sessionCapacity: 0, egressBitsPerSecond: 0,
                    egressCapacityBitsPerSecond: 0, cpu: 0)
            }
            return entry(status, state: status.draining || status.stopping ? "draining" : "serving", ages: ages)
        }
        let named = Set(topology.nodes.map(\.id))
        nodes += statuses.filter { !named.contains($0.id) }.map { entry($0, state: "unlisted", ages: ages) }
        let byNode = Dictionary(reports.map { ($0.node, $0) }, uniquingKeysWith: { first, _ in first })
        for index in nodes.indices {
            guard nodes[index].state != "stale", let report = byNode[nodes[index].id] else { continue }
            nodes[index].topology = report.topology
            nodes[index].placementsPerSecond = report.placementsPerSecond
            nodes[index].placementP99Seconds = report.placementP99Seconds
        }
        return nodes
    }

    private static func entry(_ status: NodeStatus, state: String, ages: [String: UInt64]) -> MeshOverview.Node {
        // NodeAnnouncer states "no limit" as Int32.max sessions and Int64.max bit/s; shown as 0.
        let sessions = status.capacity.sessions >= Int(Int32.max) ? 0 : status.capacity.sessions
        let egress = status.capacity.egressBitsPerSecond == Int64.max ? 0 : status.capacity.egressBitsPerSecond
        return MeshOverview.Node(
            id: status.id, role: status.role.rawValue, region: status.region, state: state,
            heartbeatAgeMilliseconds: ages[status.id], sessions: status.load.sessions, sessionCapacity: sessions,
            egressBitsPerSecond: status.load.egressBitsPerSecond, egressCapacityBitsPerSecond: egress,
            cpu: status.load.cpu, drainingSince: state == "draining" ? status.drainingSince : nil)
    }

    /// One entry per link id: the downstream end's rates when it reported (what arrived), the
    /// upstream end's round trip, and the larger loss of the two ends (the downstream end's last
    /// receiver report, or the upstream end's reading of it; they differ by one report at most).
    static func links(_ reports: [LinkReport]) -> [MeshOverview.Link] {
        Dictionary(grouping: reports, by: \.id).values.compactMap { ends -> MeshOverview.Link? in
            guard let any = ends.first else { return nil }
            let downstream = ends.first { $0.reportedBy == $0.downstream } ?? any
            return MeshOverview.Link(
                id: any.id, upstream: any.upstream, downstream: any.downstream,
                streams: Set(ends.flatMap(\.streams)).sorted(), packetsPerSecond: downstream.packetsPerSecond,
                bitsPerSecond: downstream.bitsPerSecond ?? ends.compactMap(\.bitsPerSecond).first ?? 0,
                roundTripMilliseconds: ends.compactMap(\.roundTripMilliseconds).first,
                fractionLost: ends.map(\.fractionLost).max() ?? 0)
        }
        .sorted { ($0.upstream, $0.downstream, $0.id) < ($1.upstream, $1.downstream, $1.id) }
    }

    /// The digest of `topology`'s canonical JSON, as `meshcast topology apply` stores it.
    static func digest(of topology: Topology) -> String {
        digest((try? TopologyJSON.encode(topology)).map(Array.init) ?? [])
    }

    /// The first 16 hex digits of SHA-256 over `bytes`.
    static func digest(_ bytes: [UInt8]) -> String {
        let hash = (try? Digest.hash(.sha256, bytes)) ?? []
        return hash.prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
