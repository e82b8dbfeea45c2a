import Foundation
import Testing

/// `meshcast topology plan` and `apply` as an operator runs them.
@Suite struct TopologyPlanCommandTests {
    @Test func planAgainstAnEmptyMeshStartsEveryNodeAndSaysWhy() throws {
        let outcome = try MeshcastBinary.run(["topology", "plan", "topology/local.yaml"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardError.contains("needs Redis"))
        for node in ["origin-1", "relay-1", "edge-a", "edge-b", "recorder-1"] {
            #expect(outcome.standardOutput.contains("+ node \(node)"), "\(node) missing from the plan")
        }
    }

    @Test func planOfAFileAgainstItselfHasNoChanges() throws {
        let outcome = try MeshcastBinary.run([
            "topology", "plan", "topology/local.yaml", "--against", "topology/local.yaml",
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(!outcome.standardOutput.contains("+ node"))
        #expect(!outcome.standardOutput.contains("- node"))
    }

    @Test func applyWritesCanonicalJSONThatNamesEveryNode() throws {
        let outcome = try MeshcastBinary.run(["topology", "apply", "topology/local.yaml"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let json = try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any]
        let nodes = (json?["nodes"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
        #expect(nodes == ["origin-1", "relay-1", "edge-a", "edge-b", "recorder-1"])
    }

    @Test func planAndApplyRefuseAnInvalidFile() throws {
        for command in ["plan", "apply"] {
            let outcome = try MeshcastBinary.run(["topology", command, "Tests/Fixtures/topology/unknown-region.yaml"])
            #expect(outcome.status == 1, "\(command)")
            #expect(outcome.standardError.contains("unknown-region.yaml:16:13: error: "), "\(command)")
        }
    }
}
