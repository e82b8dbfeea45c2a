/// The text `meshbench versus` prints: the load search's trials, the comparison at the load
/// both sides carry, and, apart, the figures where one side was saturated.
enum VersusTable {
    /// One line per trial of the load search.
    static func search(_ trials: [LoadSearch.Trial], limits: PassCriteria) -> String {
        var lines = [
            "load search (limits: loss after retransmission ≤ \(FigureFormat.number(limits.lossAfterRetransmissionPercent)) %, "
                + "latency p99 ≤ \(FigureFormat.number(limits.latencyP99Ms)) ms, every viewer connected)"
        ]
        for trial in trials {
            var line =
                "  \(String(trial.viewers).padded(to: 6))viewers  \(trial.side.padded(to: 10))"
                + (trial.passed ? "pass" : "FAIL")
            if let report = trial.report {
                let cpu = report.nodes.filter { $0.id != "meshbench" }.reduce(0) { $0 + $1.cpuPercent }
                line +=
                    "  connected \(report.viewers.connected), loss after \(FigureFormat.number(report.loss.percentAfter)) %, "
                    + "p99 \(FigureFormat.number(report.latencyMs.p99, digits: 1)) ms, server CPU \(FigureFormat.number(cpu)) %"
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// Meshcast, the other server, and other / Meshcast for the headline figures at `viewers`.
    static func comparison(
        meshcast: RunReport, other: RunReport, viewers: Int, scenario: Scenario, heading: String
    ) -> String {
        let node = CapacityCommand.nodeUnderTest(meshcast, scenario: scenario)
        let otherNode = other.nodes.first { $0.id != "meshbench" }
        let rows: [(String, Double?, Double?)] = [
            (
                "total CPU µs per delivered packet", meshcast.delivery?.totalCpuUsPerDeliveredPacket,
                other.delivery?.totalCpuUsPerDeliveredPacket
            ),
            (
                "server CPU µs per delivered packet", meshcast.delivery?.serverCpuUsPerDeliveredPacket,
                other.delivery?.serverCpuUsPerDeliveredPacket
            ),
            ("feeder CPU s", meshcast.delivery?.feederCpuSeconds, other.delivery?.feederCpuSeconds),
            ("CPU µs per forwarded packet", node?.cpuUsPerForwardedPacket, otherNode?.cpuUsPerForwardedPacket),
            ("CPU %", node?.cpuPercent, otherNode?.cpuPercent),
            ("RSS max MB", node?.rssMbMax, otherNode?.rssMbMax),
            ("viewers connected", Double(meshcast.viewers.connected), Double(other.viewers.connected)),
            ("packets delivered", meshcast.packetsReceived.map(Double.init), other.packetsReceived.map(Double.init)),
            ("join to first packet p50 ms", meshcast.joinMs.toFirstPacket.p50, other.joinMs.toFirstPacket.p50),
            ("join to first packet p95 ms", meshcast.joinMs.toFirstPacket.p95, other.joinMs.toFirstPacket.p95),
            ("join to key frame p50 ms", meshcast.joinMs.toFirstKeyframe.p50, other.joinMs.toFirstKeyframe.p50),
            ("latency p50 ms", meshcast.latencyMs.p50, other.latencyMs.p50),
            ("latency p99 ms", meshcast.latencyMs.p99, other.latencyMs.p99),
            ("loss after retransmission %", meshcast.loss.percentAfter, other.loss.percentAfter),
        ]
        let name = other.target
        var lines = [
            "\(scenario.name): meshcast versus \(name) at \(viewers) viewers, \(heading) (ratio = \(name) / meshcast)",
            "fed:    meshcast \(feed(meshcast)); \(name) \(feed(other))",
            "limits: meshcast \(verdict(meshcast, viewers: viewers, scenario: scenario)), "
                + "\(name) \(verdict(other, viewers: viewers, scenario: scenario))",
        ]
        lines.append("figure".padded(to: 36) + "meshcast".padded(to: 12) + name.padded(to: 12) + "ratio")
        for (figure, a, b) in rows {
            let ratio = a.flatMap { a in b.map { b in a > 0 ? FigureFormat.number(b / a, digits: 2) : "-" } } ?? "-"
            lines.append(
                figure.padded(to: 36) + (a.map { FigureFormat.number($0, digits: 2) } ?? "-").padded(to: 12)
                    + (b.map { FigureFormat.number($0, digits: 2) } ?? "-").padded(to: 12) + ratio)
        }
        return lines.joined(separator: "\n")
    }

    private static func feed(_ report: RunReport) -> String {
        report.delivery?.feedDescription ?? "(feed not recorded)"
    }

    private static func verdict(_ report: RunReport, viewers: Int, scenario: Scenario) -> String {
        if scenario.limits.admits(report, viewers: viewers) { return "within" }
        return "OUTSIDE (connected \(report.viewers.connected)/\(viewers), loss after "
            + "\(FigureFormat.number(report.loss.percentAfter)) %, p99 \(FigureFormat.number(report.latencyMs.p99, digits: 1)) ms)"
    }
}
