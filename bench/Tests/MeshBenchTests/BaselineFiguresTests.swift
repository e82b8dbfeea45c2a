import Foundation
import Testing

@testable import MeshBench

/// Issue 12, "cost grows linearly": a node's CPU with the publishers up and no viewer is read
/// before the first join, and the steady CPU per forwarded packet is also given net of it. The
/// figures are made up in the shape of a 50-viewer fan-out run (about 11,000 packets a second).
@Suite("baseline CPU in the report")
struct BaselineFiguresTests {
    /// 1.6 % CPU with no viewer; a 20 s steady window at 6.3 % CPU forwarding 11,000 a second.
    static let baseline = BaselineFigures(
        cpuFrom: 5_000_000, to: 5_032_000, seconds: 2,
        steady: (cpuMicroseconds: 1_260_000, seconds: 20, packets: 220_000))

    @Test("net of the baseline, the steady window's CPU per packet is what each forwarded packet adds")
    func net() throws {
        let figures = try #require(Self.baseline)
        #expect(abs(figures.cpuPercent - 1.6) < 1e-9)
        #expect(figures.seconds == 2)
        // (1.26 s − 16 ms/s × 20 s) / 220,000 packets.
        let net = try #require(figures.netSteadyCpuUsPerForwardedPacket)
        #expect(abs(net - (1_260_000 - 320_000) / 220_000.0) < 1e-9)
    }

    @Test("no span, a count that fell, no steady window or nothing left over give no figure")
    func missing() {
        #expect(BaselineFigures(cpuFrom: 0, to: 10, seconds: 0, steady: nil) == nil)
        #expect(BaselineFigures(cpuFrom: 10, to: 0, seconds: 2, steady: nil) == nil)
        #expect(
            BaselineFigures(cpuFrom: 0, to: 32_000, seconds: 2, steady: nil)?.netSteadyCpuUsPerForwardedPacket == nil)
        let idle = BaselineFigures(cpuFrom: 0, to: 32_000, seconds: 2, steady: (100_000, 20, 1_000))
        #expect(idle?.cpuPercent == 1.6)
        #expect(idle?.netSteadyCpuUsPerForwardedPacket == nil, "the window cost less than the baseline")
    }

    static func report() -> RunReport {
        var report = SampleReports.report()
        report.nodes[0].steadyCpuUsPerForwardedPacket = 5.73
        report.nodes[0].baseline = baseline
        return report
    }

    @Test("the text, the HTML and the JSON carry it, and compare takes it as lower-is-better")
    func rendered() throws {
        let report = Self.report()
        #expect(
            TextSummary.render(report).contains(
                "5.73 µs once all had joined (4.27 net of its 1.6 % CPU with no viewer)"))
        let html = HTMLReport.render(report)
        #expect(html.contains("<th>CPU % with no viewer</th>"))
        #expect(html.contains("<td>5.73</td><td>1.6</td><td>4.27</td>"))
        let data = try ReportJSON.encode(report)
        #expect(String(decoding: data, as: UTF8.self).contains("\"net_steady_cpu_us_per_forwarded_packet\""))
        #expect(try ReportJSON.decode(data) == report)
        let name = "nodes[origin-1].baseline.net_steady_cpu_us_per_forwarded_packet"
        #expect(ReportFigures.flatten(report).contains { $0.name == name })
        #expect(ReportFigures.betterness(of: name) == .lower)
    }
}
