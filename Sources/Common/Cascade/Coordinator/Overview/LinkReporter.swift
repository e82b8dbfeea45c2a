import MeshCluster
import MeshRTC
import Synchronization

/// (duty) Writes this node's relay link ends to Redis once a second (``LinkReports``), with the
/// packet rate since the last report, so that `/v1/mesh` can show every link of the mesh: each
/// node knows only its own.
final class LinkReporter: Sendable {
    let nodeID: String
    let redis: RedisClient
    let reports: LinkReports
    /// Each link's packet count and when it was read, for the rate.
    private let last = Mutex<[String: (packets: UInt64, at: ContinuousClock.Instant)]>([:])

    init(nodeID: String, redis: RedisClient) {
        self.nodeID = nodeID
        self.redis = redis
        reports = LinkReports(client: redis)
    }

    func report(_ status: MeshDataStatus, now: ContinuousClock.Instant) async {
        let made = last.withLock { last in
            let made = status.links.map { link in
                let rate: Double
                if let previous = last[link.id], link.packets >= previous.packets, previous.at < now {
                    let seconds = (now - previous.at) / Duration.seconds(1)
                    rate = Double(link.packets - previous.packets) / seconds
                } else {
                    rate = 0
                }
                return LinkReport(
                    id: link.id, upstream: link.end == .upstream ? nodeID : link.peerNode,
                    downstream: link.end == .upstream ? link.peerNode : nodeID, reportedBy: nodeID,
                    streams: link.streams.sorted(), packetsPerSecond: rate,
                    roundTripMilliseconds: link.roundTripMilliseconds, fractionLost: link.fractionLost)
            }
            last = Dictionary(status.links.map { ($0.id, ($0.packets, now)) }, uniquingKeysWith: { first, _ in first })
            return made
        }
        guard redis.isAvailable else { return }
        try? await reports.publish(node: nodeID, made)
    }
}
