import Testing

@testable import MeshBench

@Suite("meshbench compare")
struct ReportComparisonTests {
    let comparison = ReportComparison(
        SampleReports.report(latencyP99: 100, connected: 100, lostAfter: 0, cpuPercent: 80),
        SampleReports.report(latencyP99: 50, connected: 80, lostAfter: 5, cpuPercent: 120))

    func row(_ name: String) throws -> ReportComparison.Row {
        try #require(comparison.rows.first { $0.name == name })
    }

    @Test("B/A ratios and the better side follow each figure's direction")
    func ratios() throws {
        #expect(try row("latency_ms.p99") == .init(name: "latency_ms.p99", a: 100, b: 50, ratio: 0.5, better: "B"))
        #expect(
            try row("viewers.connected") == .init(name: "viewers.connected", a: 100, b: 80, ratio: 0.8, better: "A"))
        #expect(try row("nodes[origin-1].cpu_percent").ratio == 1.5)
        #expect(try row("nodes[origin-1].cpu_percent").better == "A")
        #expect(try row("latency_ms.p50").better == "=")
        #expect(try row("viewers.requested").better == "=")
    }

    @Test("a figure that is zero in A has no ratio; a figure only one side has shows '-'")
    func missingAndZero() throws {
        let lost = try row("loss.lost_after_retransmission")
        #expect(lost.a == 0 && lost.b == 5 && lost.ratio == nil && lost.better == "A")
        let reasons = try row("viewers.failure_reasons.ice_timeout")
        #expect(reasons.a == nil && reasons.b == 20 && reasons.better == "")
        #expect(comparison.text(nameA: "a.json", nameB: "b.json").contains("viewers.failure_reasons.ice_timeout"))
    }

    @Test("series and raw samples are left out; every figure appears once")
    func coverage() {
        let names = comparison.rows.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(!names.contains { $0.contains("timeline") || $0.contains("samples") || $0.contains("trials") })
        #expect(names.contains("capacity.largest_passing") && names.contains("frozen.longest_ms"))
    }

    @Test("the text table has a header and one line per figure")
    func table() {
        let lines = comparison.text(nameA: "a.json", nameB: "b.json").split(separator: "\n")
        #expect(lines.count == comparison.rows.count + 3)
        #expect(lines[2].hasPrefix("figure"))
    }
}
