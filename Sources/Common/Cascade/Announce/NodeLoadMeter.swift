import MeshCluster
import MeshRTC

/// Turns the engine's ever-growing counters into the live load a heartbeat reports: egress bit/s
/// and packets/s as deltas over the time between two samples, CPU as the share of that time the
/// process ran, divided by the worker count (the node's share of the CPUs it was given).
struct NodeLoadMeter: Sendable {
    /// One reading of the counters.
    struct Sample: Sendable, Equatable {
        /// Monotonic nanoseconds when it was taken.
        var now: UInt64
        /// Bytes sent by every worker so far.
        var bytesOut: Int
        /// Datagrams sent by every worker so far.
        var packetsOut: Int
        /// Process CPU seconds so far, when known.
        var cpuSeconds: Double?
        /// Live sessions (a gauge, not a counter).
        var sessions: Int

        /// Sums the per-worker counters of `metrics`.
        init(metrics: NodeMetrics, cpuSeconds: Double?, now: UInt64) {
            self.now = now
            bytesOut = metrics.workers.reduce(0) { $0 &+ $1.bytesOut }
            packetsOut = metrics.workers.reduce(0) { $0 &+ $1.packetsOut }
            self.cpuSeconds = cpuSeconds
            sessions = metrics.publishers &+ metrics.viewers
        }

        /// A sample from its parts.
        init(now: UInt64, bytesOut: Int, packetsOut: Int, cpuSeconds: Double?, sessions: Int) {
            self.now = now
            self.bytesOut = bytesOut
            self.packetsOut = packetsOut
            self.cpuSeconds = cpuSeconds
            self.sessions = sessions
        }
    }

    /// The workers the node runs; CPU is reported per worker so a fully busy node reads 1.
    let workers: Int
    private var previous: Sample?

    /// A meter for a node with `workers` media workers.
    init(workers: Int) {
        self.workers = max(workers, 1)
    }

    /// The load between the previous sample and `sample` (sessions only, for the first one).
    mutating func load(after sample: Sample) -> NodeStatus.Load {
        defer { previous = sample }
        guard let previous, sample.now > previous.now else { return NodeStatus.Load(sessions: sample.sessions) }
        let seconds = Double(sample.now - previous.now) / 1e9
        // Counters only grow; a smaller value means the engine restarted, which reads as zero.
        let bytes = max(sample.bytesOut &- previous.bytesOut, 0)
        let packets = max(sample.packetsOut &- previous.packetsOut, 0)
        var cpu = 0.0
        if let now = sample.cpuSeconds, let before = previous.cpuSeconds, now >= before {
            cpu = min((now - before) / seconds / Double(workers), 1)
        }
        return NodeStatus.Load(
            cpu: cpu, egressBitsPerSecond: Int64((Double(bytes) * 8 / seconds).rounded()),
            packetsPerSecond: Int64((Double(packets) / seconds).rounded()), sessions: sample.sessions)
    }
}
