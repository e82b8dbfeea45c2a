import Foundation
import Testing

@testable import MeshBench

/// Issue 12, item 1: the send limit measured before a run reaches the JSON, the text summary
/// and the HTML report, with each node's CPU per packet as a share of it. The figures here are
/// made up (3.9 µs is the C-loop measurement); the probe's own output is printed by
/// `meshbench limits`, never asserted.
@Suite("send limit in the report")
struct SendLimitReportTests {
    static let limit = SendLimitFigures(
        datagramBytes: 1132, destinations: 200, batch: 32, usPerPacket: 3.9, gsoUsPerPacket: 1.3, gsoSegments: 57,
        wakeUpUs: 31)

    /// The sample report (origin-1 at 8 µs per forwarded packet) with the limit attached as
    /// `RunReportBuilder` attaches it, plus a node that forwarded nothing.
    static func report() -> RunReport {
        var report = SampleReports.report()
        report.nodes.append(
            NodeFigures(
                id: "meshbench", role: "load generator", pid: 1, cpuSeconds: 3, cpuPercent: 10, rssMbMax: 40,
                packetsForwarded: nil, cpuUsPerForwardedPacket: nil, samples: []))
        // 240 sleeps a second over 12,000 forwarded packets a second.
        report.nodes[0].steadySleeps = SleepFigures(perSecond: 240, perForwardedPacket: 0.02)
        report.sendLimit = limit.sharing(with: report.nodes)
        return report
    }

    @Test("a node's share is the limit over its CPU per forwarded packet; nodes that forwarded nothing have none")
    func share() {
        let shares = Self.report().sendLimit?.shareByNode
        #expect(shares == ["origin-1": 3.9 / 8])
    }

    @Test("rates per core follow from µs per packet")
    func rates() {
        #expect(abs(Self.limit.packetsPerSecondPerCore - 256_410.26) < 0.01)
        #expect(Self.limit.gsoPacketsPerSecondPerCore.map { abs($0 - 769_230.77) < 0.01 } == true)
        #expect(SendLimitFigures.rate(2_400_000) == "2.4M/s")
        #expect(SendLimitFigures.rate(256_410) == "256k/s")
    }

    @Test("the JSON carries send_limit with snake_case keys and reads back equal")
    func json() throws {
        let report = Self.report()
        let data = try ReportJSON.encode(report)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"send_limit\""))
        #expect(text.contains("\"us_per_packet\""))
        #expect(text.contains("\"share_by_node\""))
        #expect(text.contains("\"wake_up_us\""))
        #expect(text.contains("\"steady_sleeps\""))
        #expect(try ReportJSON.decode(data) == report)
    }

    @Test("a report written before the limit existed still reads, without one")
    func olderReport() throws {
        let data = try ReportJSON.encode(SampleReports.report())
        #expect(!String(decoding: data, as: UTF8.self).contains("send_limit"))
        #expect(try ReportJSON.decode(data).sendLimit == nil)
    }

    @Test("the text summary prints the limit and the node's share of it")
    func text() {
        let summary = TextSummary.render(Self.report())
        #expect(summary.contains("limit:     3.9 µs per 1132-byte datagram, sendmmsg ×32 to 200 loopback destinations"))
        #expect(summary.contains("GSO ×57 1.3 µs"))
        #expect(summary.contains("8 µs CPU/packet (49 % of the send limit)"))
        #expect(summary.contains("; a sleep and wake-up 31 µs"))
        // 0.02 sleeps per packet at 31 µs each.
        #expect(summary.contains(", 240 sleeps/s (0.62 µs of each packet)"))
    }

    @Test("sleeps come from two readings of the count; a count that fell or a reading without one gives none")
    func sleeps() {
        #expect(
            SleepFigures(from: 1_000, to: 3_400, seconds: 10, packets: 120_000)
                == SleepFigures(perSecond: 240, perForwardedPacket: 0.02))
        // A worker pool thread that exited took its count along: no figure rather than a negative one.
        #expect(SleepFigures(from: 3_400, to: 1_000, seconds: 10, packets: 120_000) == nil)
        #expect(SleepFigures(from: nil, to: 1_000, seconds: 10, packets: 120_000) == nil)
        #expect(SleepFigures(from: 1_000, to: 3_400, seconds: 0, packets: 120_000) == nil)
        #expect(SleepFigures(from: 1_000, to: 3_400, seconds: 10, packets: 0) == nil)
    }

    @Test("the HTML node table has the share column and the limit under it")
    func html() {
        let html = HTMLReport.render(Self.report())
        #expect(html.contains("<th>share of send limit</th>"))
        #expect(html.contains("<td>49 %</td><td>240</td><td>0.62</td>"))
        #expect(html.contains("<p>Send limit: 3.9 µs per 1132-byte datagram"))
    }

    @Test("meshbench limits prints both variants, or says GSO is unavailable")
    func limitsCommand() {
        let printed = LimitsCommand.render(Self.limit)
        #expect(printed.contains("sendmmsg ×32: 3.9 µs per packet, 256k/s per core"))
        #expect(printed.contains("GSO ×57 per send: 1.3 µs per packet, 769k/s per core"))
        #expect(printed.contains("a sleep and wake-up: 31 µs of the thread's CPU"))
        var noGSO = Self.limit
        noGSO.gsoUsPerPacket = nil
        #expect(LimitsCommand.render(noGSO).contains("GSO: not available"))
    }

    @Test("the probe runs on this machine and counts what it sent")
    func probeRuns() throws {
        // Only that it measured something: the value itself depends on the machine and its load.
        let figures = try SendLimitProbe(datagramBytes: 200, destinations: 4, seconds: 0.02).measure()
        #expect(figures.usPerPacket > 0 && figures.usPerPacket.isFinite)
        #expect(figures.destinations == 4 && figures.batch == 32)
        #expect(figures.wakeUpUs.map { $0 > 0 && $0.isFinite } == true)
    }
}
