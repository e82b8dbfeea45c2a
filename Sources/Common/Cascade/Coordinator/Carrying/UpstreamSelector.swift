import Logging
import MeshCluster
import MeshRTC
import Synchronization

/// Chooses the hop before this node in a stream's tree, and remembers which upstreams failed
/// lately so that new paths leave them out for a while.
final class UpstreamSelector: Sendable {
    /// How long an upstream that failed is left out of new paths.
    static let failedUpstreamPause = Duration.seconds(10)

    /// This node's id.
    let nodeID: String
    let topology: TopologyInForce
    let stateReader: PlacementStateReader
    let dataPlane: any MeshDataPlane
    let redis: RedisClient
    let logger: Logger
    /// Upstream node → monotonic instant until which it is not tried for new paths.
    private let failedUntil = Mutex<[String: ContinuousClock.Instant]>([:])

    init(
        nodeID: String, topology: TopologyInForce, stateReader: PlacementStateReader, dataPlane: any MeshDataPlane,
        redis: RedisClient, logger: Logger
    ) {
        self.nodeID = nodeID
        self.topology = topology
        self.stateReader = stateReader
        self.dataPlane = dataPlane
        self.redis = redis
        self.logger = logger
    }

    /// Leaves `node` out of new paths for ``failedUpstreamPause``.
    func markFailed(_ node: String, now: ContinuousClock.Instant = .now) {
        failedUntil.withLock { $0[node] = now.advanced(by: Self.failedUpstreamPause) }
    }

    /// Whether `node` failed lately and should not be tried at `now`.
    func hasFailed(_ node: String, at now: ContinuousClock.Instant) -> Bool {
        failedUntil.withLock { failed in
            guard let until = failed[node] else { return false }
            return now < until
        }
    }

    /// The hop before this node: from the path planner over the live state when Redis
    /// answers, else from the topology alone.
    func chooseUpstream(for record: StreamRecord, excluding: Set<String>) async -> Result<String, CarryFailure> {
        let now = ContinuousClock.now
        let index = topology.snapshot.index
        let failed = failedUntil.withLock { Set($0.filter { now < $0.value }.keys) }
        let avoid = excluding.union(failed)
        if redis.isAvailable {
            do {
                var live = try await stateReader.liveState(stream: record.name, origin: record.originNode)
                // The origin stays the root even when its link to this node failed; only
                // other nodes are taken out of the graph.
                for node in avoid where node != record.originNode { live.nodes[node] = NodeLoad(alive: false) }
                // Plan as if this node were not in the tree yet, nor anything it feeds.
                let downstream = Set(await dataPlane.meshStatus().links.filter { $0.end == .upstream }.map(\.peerNode))
                live.streams[record.name]?.carriers.subtract(downstream.union([nodeID]))
                let path = try PathPlanner(index: index).plan(stream: record.name, to: nodeID, state: live)
                guard path.hops.count >= 2 else {
                    return .failure(.unavailable("the path for '\(record.name)' has no hop before \(nodeID)"))
                }
                let upstream = path.hops[path.hops.count - 2]
                guard avoid.contains(upstream) else { return .success(upstream) }
                // The planner knows no link exclusions: when it keeps the failed origin link,
                // the topology names the next upstream.
            } catch let failure as PlacementFailure {
                return .failure(.unavailable(failure.reason))
            } catch {
                logger.info("mesh: Redis failed while planning '\(record.name)' (\(error)); using the topology")
            }
        }
        return topologyUpstream(for: record, avoiding: avoid, index: index)
    }

    /// Without Redis: this node's allowed upstreams, the stream's origin first, then nearest
    /// region first, then file order.
    func topologyUpstream(for record: StreamRecord, avoiding: Set<String>, index: PlacementIndex)
        -> Result<String, CarryFailure>
    {
        let topology = index.topology
        guard let me = topology.node(id: nodeID) else {
            return .failure(.unavailable("node \(nodeID) is not in the topology"))
        }
        var seen: Set<String> = []
        var candidates: [(id: String, isOrigin: Bool, milliseconds: Double, position: Int)] = []
        for (position, rule) in topology.links.enumerated() where rule.to == nodeID && rule.from != nodeID {
            guard !avoiding.contains(rule.from), seen.insert(rule.from).inserted,
                let node = topology.node(id: rule.from)
            else { continue }
            candidates.append(
                (
                    rule.from, rule.from == record.originNode,
                    index.distances.milliseconds(from: me.region, to: node.region), position
                ))
        }
        candidates.sort { l, r in
            if l.isOrigin != r.isOrigin { return l.isOrigin }
            if l.milliseconds != r.milliseconds { return l.milliseconds < r.milliseconds }
            return l.position < r.position
        }
        guard let first = candidates.first else {
            return .failure(.unavailable("no allowed upstream of \(nodeID) is left to try for '\(record.name)'"))
        }
        return .success(first.id)
    }
}
