import Testing

@testable import MeshBench

@Suite("meshbench compare across targets")
struct NodeMatchingTests {
    static func node(_ id: String, _ role: String, cpu: Double) -> NodeFigures {
        NodeFigures(
            id: id, role: role, pid: nil, cpuSeconds: cpu / 10, cpuPercent: cpu, rssMbMax: 50, packetsForwarded: nil,
            cpuUsPerForwardedPacket: nil, samples: [])
    }

    static func report(target: String, nodes: [NodeFigures]) -> RunReport {
        var report = SampleReports.report()
        report.target = target
        report.nodes = nodes
        return report
    }

    @Test("Meshcast's origin and Janus meet by position, meshbench by id; the table says which met which")
    func meshcastVersusJanus() throws {
        let meshcast = Self.report(
            target: "meshcast",
            nodes: [Self.node("origin-1", "origin", cpu: 40), Self.node("meshbench", "load", cpu: 30)])
        let janus = Self.report(
            target: "janus", nodes: [Self.node("janus", "janus", cpu: 120), Self.node("meshbench", "load", cpu: 35)])
        let comparison = ReportComparison(meshcast, janus)
        #expect(
            comparison.nodes.pairs == [
                .init(a: "origin-1", b: "janus", rule: .position), .init(a: "meshbench", b: "meshbench", rule: .id),
            ])
        let row = try #require(comparison.rows.first { $0.name == "nodes[origin-1↔janus].cpu_percent" })
        #expect(row.a == 40 && row.b == 120 && row.ratio == 3 && row.better == "A")
        #expect(comparison.rows.contains { $0.name == "nodes[meshbench].cpu_percent" && $0.a == 30 && $0.b == 35 })
        #expect(!comparison.rows.contains { $0.name.hasPrefix("nodes[janus]") || $0.name.hasPrefix("nodes[origin-1]") })
        let text = comparison.text(nameA: "a.json", nameB: "b.json")
        #expect(text.contains("nodes: A origin-1 with B janus (by position)"))
        #expect(comparison.html(nameA: "a", nameB: "b").contains("nodes: A origin-1 with B janus (by position)"))
    }

    @Test("nodes of the same role pair in order before any pairing by position; leftovers are named")
    func byRoleThenPosition() {
        let matching = NodeMatching(
            [
                Self.node("edge-a", "edge", cpu: 1), Self.node("origin-a", "origin", cpu: 1),
                Self.node("edge-b", "edge", cpu: 1), Self.node("relay-a", "relay", cpu: 1),
            ],
            [Self.node("o", "origin", cpu: 1), Self.node("e1", "edge", cpu: 1), Self.node("e2", "edge", cpu: 1)])
        #expect(
            matching.pairs == [
                .init(a: "edge-a", b: "e1", rule: .role), .init(a: "origin-a", b: "o", rule: .role),
                .init(a: "edge-b", b: "e2", rule: .role),
            ])
        #expect(matching.unmatchedA == ["relay-a"] && matching.unmatchedB.isEmpty)
        #expect(matching.lines.contains("nodes: A relay-a has no partner in B"))
        #expect(matching.label(a: "edge-a") == "edge-a↔e1" && matching.label(b: "o") == "origin-a↔o")
    }

    @Test("two runs of the same topology keep their node names and print no matching lines")
    func sameTopology() {
        let matching = NodeMatching(
            [Self.node("origin-1", "origin", cpu: 1)], [Self.node("origin-1", "origin", cpu: 2)])
        #expect(matching.pairs == [.init(a: "origin-1", b: "origin-1", rule: .id)])
        #expect(matching.lines.isEmpty)
        #expect(NodeMatching.rename("nodes[origin-1].cpu_percent", matching.label(a:)) == "nodes[origin-1].cpu_percent")
    }
}
