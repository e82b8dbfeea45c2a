import MeshCluster
import MeshRTC
import Synchronization

/// (duty) Writes this node's ``NodeReport`` to Redis once a second: the topology it runs, its
/// placement rate and p99, and its relay link ends with their packet and bit rates, RTT and loss. Each node knows
/// only its own; `/v1/mesh` gathers them.
final class NodeReporter: Sendable {
    let nodeID: String
    let redis: RedisClient
    let topology: TopologyInForce
    let placement: ClientPlacement
    let reports: NodeReports
    /// What the rates are computed against: each link's packet and byte counts and the decision
    /// count, and when they were read.
    private let last = Mutex<Counts?>(nil)

    private struct Counts {
        var links: [String: (packets: UInt64, bytes: UInt64)]
        var decisions: UInt64
        var at: ContinuousClock.Instant
    }

    init(nodeID: String, redis: RedisClient, topology: TopologyInForce, placement: ClientPlacement) {
        self.nodeID = nodeID
        self.redis = redis
        self.topology = topology
        self.placement = placement
        reports = NodeReports(client: redis)
    }

    func report(_ status: MeshDataStatus, now: ContinuousClock.Instant) async {
        let timings = placement.decisionTimings
        let counts = Counts(
            links: Dictionary(
                status.links.map { ($0.id, (packets: $0.packets, bytes: $0.bytes)) },
                uniquingKeysWith: { first, _ in first }),
            decisions: timings.count, at: now)
        let previous = last.withLock { last in
            defer { last = counts }
            return last
        }
        let seconds = previous.map { (now - $0.at) / Duration.seconds(1) } ?? 0
        func rate(_ current: UInt64, _ before: UInt64?) -> Double {
            guard let before, current >= before, seconds > 0 else { return 0 }
            return Double(current - before) / seconds
        }
        let links = status.links.map { link in
            LinkReport(
                id: link.id, upstream: link.end == .upstream ? nodeID : link.peerNode,
                downstream: link.end == .upstream ? link.peerNode : nodeID, reportedBy: nodeID,
                streams: link.streams.sorted(),
                packetsPerSecond: rate(link.packets, previous?.links[link.id]?.packets),
                bitsPerSecond: 8 * rate(link.bytes, previous?.links[link.id]?.bytes),
                roundTripMilliseconds: link.roundTripMilliseconds, fractionLost: link.fractionLost)
        }
        let report = NodeReport(
            node: nodeID, topology: MeshOverviewReader.digest(of: topology.topology),
            placementsPerSecond: rate(timings.count, previous?.decisions), placementP99Seconds: timings.quantile(0.99),
            links: links)
        guard redis.isAvailable else { return }
        try? await reports.publish(report)
    }
}
