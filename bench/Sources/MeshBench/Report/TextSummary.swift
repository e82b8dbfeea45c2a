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
            var perPacket = node.cpuUsPerForwardedPacket.map { ", \(number($0)) µs CPU/packet" } ?? ""
            if let share = report.sendLimit?.shareByNode[node.id] {
                perPacket += " (\(FigureFormat.number(share * 100, digits: 0)) % of the send limit)"
            }
            if let steady = node.steadyCpuUsPerForwardedPacket {
                perPacket += ", \(number(steady)) µs once all had joined"
                if let baseline = node.baseline, let net = baseline.netSteadyCpuUsPerForwardedPacket {
                    perPacket += " (\(number(net)) net of its \(number(baseline.cpuPercent)) % CPU with no viewer)"
                }
            }
            if let sleeps = node.steadySleeps {
                perPacket += ", \(FigureFormat.number(sleeps.perSecond, digits: 0)) sleeps/s"
                if let cost = report.sendLimit?.sleepUsPerPacket(of: node) {
                    perPacket += " (\(number(cost)) µs of each packet)"
                }
            }
            let perViewer = node.rssKbPerViewer.map { " (\(number($0)) KB per viewer)" } ?? ""
            lines.append(
                "node \(node.id) (\(node.role)): CPU \(number(node.cpuPercent)) %, RSS max \(number(node.rssMbMax)) MB"
                    + "\(perViewer)\(perPacket)"
            )
        }
        if let limit = report.sendLimit {
            lines.append("limit:     " + limit.summary)
        }
        if let burst = report.burst {
            lines.append("burst:     " + burst.summary)
        }
        if let turn = report.turn {
            lines.append("turn:      " + turn.summary)
        }
        if let recording = report.recording { lines += recording.summary }
        if let search = report.recordingCapacity { lines += search.summary }
        if let delivery = report.delivery {
            let total = delivery.totalCpuUsPerDeliveredPacket.map { "\(number($0)) µs CPU per delivered packet" } ?? "-"
            let feeder = delivery.feederCpuSeconds.map { " + feeder \(number($0)) s" } ?? ""
            lines.append(
                "delivery:  fed \(delivery.feedDescription); \(total) "
                    + "(server \(number(delivery.serverCpuSeconds)) s\(feeder) for \(delivery.packetsDelivered) packets)"
            )
        }
        if let memory = report.loadGenerator {
            let perViewer = memory.rssKbPerFinishedViewer.map { "\(number($0)) KB per finished viewer" } ?? "no churn"
            let fitted = memory.fitFromSeconds.flatMap { from in memory.samples.last.map { $0.t - from } }
            let window = fitted.map { " (fit over \(FigureFormat.number($0, digits: 0)) s)" } ?? ""
            let perHour = memory.rssMbPerHour.map { "\(number($0)) MB per hour\(window)" } ?? "-"
            lines.append(
                "meshbench: RSS \(number(memory.rssMbFirst)) → \(number(memory.rssMbLast)) MB "
                    + "(max \(number(memory.rssMbMax))), \(perViewer) (\(memory.viewersFinished) finished), \(perHour)")
        }
        let late = report.timeline.filter { $0.late == true }.count
        if late > 0 {
            lines.append("timeline:  \(late) of \(report.timeline.count) seconds late (a viewer worker stalled)")
        }
        if let capacity = report.capacity {
            lines.append(
                "capacity:  \(capacity.largestPassing) viewers (\(number(capacity.perCore)) per core) within "
                    + "\(number(capacity.criteria.lossAfterRetransmissionPercent)) % loss, p99 \(number(capacity.criteria.latencyP99Ms)) ms"
                    + (capacity.rssKbPerViewer.map { "; RSS \(number($0)) KB per viewer across the trials" } ?? "")
            )
        }
        return lines.joined(separator: "\n")
    }
}
