import MeshRTC
import Prometheus
import Synchronization

/// Turns ``NodeMetrics`` snapshots into Prometheus text. Engine counters are cumulative, so
/// each scrape adds only the growth since the last snapshot: exported counters never go
/// down, even if a worker's counters restart from zero.
final class NodeMetricsExporter: Sendable {
    private let registry = PrometheusCollectorRegistry()
    /// The last value seen of each (metric, worker[, reason]) series.
    private let lastSeen = Mutex<[String: Int]>([:])

    /// Applies `metrics` and returns the exposition text.
    func export(_ metrics: NodeMetrics) -> String {
        lastSeen.withLock { lastSeen in
            gauge("sessions", labels: [("kind", "publisher")], help: "Live WebRTC sessions by kind.")
                .set(Int64(metrics.publishers))
            gauge("sessions", labels: [("kind", "viewer")], help: "Live WebRTC sessions by kind.")
                .set(Int64(metrics.viewers))
            gauge("streams", labels: [], help: "Streams with a live publisher.").set(Int64(metrics.streams))
            for worker in metrics.workers {
                let index = String(worker.worker)
                for (name, value, help) in Self.workerCounters(worker) {
                    add(name, labels: [("worker", index)], help: help, total: value, lastSeen: &lastSeen)
                }
                for (reason, value) in worker.drops.sorted(by: { $0.key < $1.key }) {
                    add(
                        "drops", labels: [("worker", index), ("reason", reason)],
                        help: "Datagrams dropped, by reason.", total: value, lastSeen: &lastSeen)
                }
                gauge(
                    "worker_loop_utilisation", labels: [("worker", index)],
                    help: "Share of time the worker loop was busy."
                )
                .set(worker.loopUtilisation)
            }
            return registry.emitToString()
        }
    }

    private static func workerCounters(_ worker: WorkerMetrics) -> [(String, Int, String)] {
        [
            ("packets_in", worker.packetsIn, "Datagrams received."),
            ("bytes_in", worker.bytesIn, "Bytes received."),
            ("packets_out", worker.packetsOut, "Datagrams sent."),
            ("bytes_out", worker.bytesOut, "Bytes sent."),
            ("packets_forwarded", worker.packetsForwarded, "RTP packets forwarded to viewers."),
            ("nacks_received", worker.nacksReceived, "NACKed packets received from viewers."),
            ("nacks_sent", worker.nacksSent, "NACK requests sent to publishers."),
            ("retransmissions", worker.retransmissions, "Packets retransmitted to viewers."),
            ("padding_packets", worker.paddingPackets, "Padding packets sent to viewers by bandwidth probes."),
            ("keyframe_requests_received", worker.keyframeRequestsReceived, "PLI/FIR received from viewers."),
            ("keyframe_requests_sent", worker.keyframeRequestsSent, "PLI/FIR sent to publishers."),
            (
                "link_datagrams_segmented", worker.linkDatagramsSegmented,
                "Relay link datagrams sent in UDP GSO runs (the rest of packets_out went by sendmmsg)."
            ),
            (
                "dtls_records_deferred", worker.handshakeRecordsDeferred,
                "DTLS handshake records put off to a later loop turn (at most 2 are handled per turn)."
            ),
        ]
    }

    /// Adds the growth of `total` since the last snapshot to the counter `meshcast_<name>_total`.
    private func add(
        _ name: String, labels: [(String, String)], help: String, total: Int, lastSeen: inout [String: Int]
    ) {
        let counter = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "meshcast", metricName: name, unitName: "total", helpText: help),
            labels: labels)
        let key = name + labels.map { "|\($0.1)" }.joined()
        let previous = lastSeen[key] ?? 0
        lastSeen[key] = total
        // A smaller total means the source restarted: its whole total is new growth.
        let growth = total >= previous ? total - previous : total
        if growth > 0 { counter.increment(by: Int64(growth)) }
    }

    private func gauge(_ name: String, labels: [(String, String)], help: String) -> Gauge {
        registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "meshcast", metricName: name, unitName: "", helpText: help),
            labels: labels)
    }
}
