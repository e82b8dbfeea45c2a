/// The short summary printed at the end of a run: the figures an SRE looks at first, in
/// about fifteen lines.
enum TextSummary {
    static func render(_ report: RunReport) -> String {
        let number = { (value: Double) in FigureFormat.number(value) }
        var lines = [
            "meshbench: \(report.scenario) against \(report.target) (\(report.build))",
            "machine:   \(report.machine.cores) cores, kernel \(report.machine.kernel)",
            "viewers:   \(report.viewers.connected)/\(report.viewers.requested) connected, \(report.viewers.failed) failed",
        ]
        let reasons = report.viewers.failureReasons.sorted { $0.value > $1.value }
        if !reasons.isEmpty {
            lines.append("  failures: " + reasons.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        lines += [
            "join:      first packet \(FigureFormat.percentiles(report.joinMs.toFirstPacket))",
            "           first key frame \(FigureFormat.percentiles(report.joinMs.toFirstKeyframe))",
            "latency:   \(FigureFormat.percentiles(report.latencyMs))",
            "jitter:    \(FigureFormat.percentiles(report.jitterMs))",
            "loss:      \(number(report.loss.percentBefore)) % before retransmission, "
                + "\(number(report.loss.percentAfter)) % after (\(report.loss.lostAfterRetransmission) of \(report.loss.packetsExpected))",
            "feedback:  \(report.nacksSent) NACKs, \(report.retransmissionsReceived) retransmissions, "
                + "\(report.plisSent) PLIs sent, \(report.plisReceivedByPublishers) reached publishers",
            "frozen:    \(report.frozen.count) freezes, \(number(report.frozen.totalSeconds)) s total, longest \(number(report.frozen.longestMs)) ms",
        ]
        if !report.bitrateKbpsByLayer.isEmpty {
            let layers = report.bitrateKbpsByLayer.sorted { $0.key < $1.key }
            lines.append("bitrate:   " + layers.map { "\($0.key) \(number($0.value)) kbit/s" }.joined(separator: ", "))
        }
        for node in report.nodes {
            let perPacket = node.cpuUsPerForwardedPacket.map { ", \(number($0)) µs CPU/packet" } ?? ""
            lines.append(
                "node \(node.id) (\(node.role)): CPU \(number(node.cpuPercent)) %, RSS max \(number(node.rssMbMax)) MB\(perPacket)"
            )
        }
        if let capacity = report.capacity {
            lines.append(
                "capacity:  \(capacity.largestPassing) viewers (\(number(capacity.perCore)) per core) within "
                    + "\(number(capacity.criteria.lossAfterRetransmissionPercent)) % loss, p99 \(number(capacity.criteria.latencyP99Ms)) ms"
            )
        }
        return lines.joined(separator: "\n")
    }
}
