import Foundation
import Testing

@testable import MeshBench

/// The report's `turn` figures: CPU per forwarded packet through TURN against direct, and node +
/// coturn against the integrated node, with meshbench's own CPU left out; in the text summary,
/// the JSON (snake_case, round trip) and the HTML.
@Suite struct TURNFiguresTests {
    static func node(_ id: String, cpu: Double, forwarded: Int?) -> NodeFigures {
        NodeFigures(
            id: id, role: id, pid: nil, cpuSeconds: cpu, cpuPercent: 0, rssMbMax: 0, packetsForwarded: forwarded,
            cpuUsPerForwardedPacket: nil, samples: [])
    }

    static func report(_ nodes: [NodeFigures]) -> RunReport {
        var report = SampleReports.report()
        report.nodes = nodes
        return report
    }

    @Test func ratioOfTheNodesCPUPerForwardedPacket() throws {
        // Through TURN: 3 s for 1 M packets (3 µs); direct: 2.5 s for the same (2.5 µs); meshbench's
        // own 9 s is not the server's.
        let turn = Self.report([
            Self.node("origin-1", cpu: 3, forwarded: 1_000_000), Self.node("meshbench", cpu: 9, forwarded: nil),
        ])
        let direct = Self.report([
            Self.node("origin-1", cpu: 2.5, forwarded: 1_000_000), Self.node("meshbench", cpu: 9, forwarded: nil),
        ])
        let figures = TURNFigures(transport: "udp", turn: turn, direct: direct)
        #expect(figures.turnCpuUsPerForwardedPacket == 3)
        #expect(figures.directCpuUsPerForwardedPacket == 2.5)
        #expect(try #require(figures.ratio) == 1.2)
        #expect(TURNFigures(transport: "udp", turn: turn, direct: nil).ratio == nil)
    }

    @Test func coturnAddsItsCPUToTheNodes() throws {
        let integrated = Self.report([Self.node("origin-1", cpu: 3, forwarded: 1_000_000)])
        let throughCoturn = Self.report([
            Self.node("origin-1", cpu: 2.6, forwarded: 1_000_000), Self.node("coturn", cpu: 1.4, forwarded: nil),
            Self.node("meshbench", cpu: 9, forwarded: nil),
        ])
        let coturn = CoturnFigures(version: "4.6.1-1", throughCoturn: throughCoturn, integrated: integrated)
        #expect(coturn.coturnCpuSeconds == 1.4)
        #expect(abs(coturn.nodeCpuSeconds - 2.6) < 1e-9)
        #expect(coturn.totalCpuSeconds == 4)
        #expect(coturn.integratedCpuSeconds == 3)
        #expect(coturn.totalCpuUsPerForwardedPacket == 4)
        #expect(coturn.integratedCpuUsPerForwardedPacket == 3)
    }

    @Test func shownInTextJSONAndHTML() throws {
        var report = Self.report([Self.node("origin-1", cpu: 3, forwarded: 1_000_000)])
        var figures = TURNFigures(
            transport: "udp", turn: report, direct: Self.report([Self.node("origin-1", cpu: 2.5, forwarded: 1_000_000)])
        )
        figures.coturn = CoturnFigures(
            version: "4.6.1-1",
            throughCoturn: Self.report([
                Self.node("origin-1", cpu: 2.6, forwarded: 1_000_000), Self.node("coturn", cpu: 1.4, forwarded: nil),
            ]), integrated: report)
        report.turn = figures
        let text = TextSummary.render(report)
        #expect(
            text.contains("turn:      udp, 100 viewers: 3 µs CPU per forwarded packet through TURN, 2.5 direct: ×1.2"))
        #expect(text.contains("coturn 4.6.1-1: node 2.6 s + coturn 1.4 s = 4 s"))
        let json = String(decoding: try ReportJSON.encode(report), as: UTF8.self)
        #expect(json.contains("\"direct_cpu_us_per_forwarded_packet\""))
        #expect(json.contains("\"coturn_cpu_seconds\""))
        #expect(try ReportJSON.decode(try ReportJSON.encode(report)).turn == figures)
        #expect(HTMLReport.render(report).contains("<h2>TURN</h2>"))
    }
}
