import Foundation
import MeshCluster
import MeshTestSupport
import Testing

/// `meshcast topology plan` and `apply` as an operator runs them.
@Suite struct TopologyPlanCommandTests {
    @Test func planAgainstAnEmptyMeshStartsEveryNodeAndSaysWhy() throws {
        let outcome = try MeshcastBinary.run(
            ["topology", "plan", "topology/local.yaml"], environment: ["MESHCAST_REDIS_URL": nil])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardError.contains("MESHCAST_REDIS_URL is not set"))
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
        let outcome = try MeshcastBinary.run(
            ["topology", "apply", "topology/local.yaml"], environment: ["MESHCAST_REDIS_URL": nil])
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

    @Test func applyPublishesToRedisAndPlanComparesWithIt() throws {
        let redis = try RedisTestServer()
        let environment: [String: String?] = ["MESHCAST_REDIS_URL": redis.url]
        let before = try MeshcastBinary.run(["topology", "plan", "topology/local.yaml"], environment: environment)
        #expect(before.status == 0, "\(before.standardError)")
        #expect(before.standardError.contains("no topology has been applied"))
        #expect(before.standardOutput.contains("+ node origin-1"))

        let applied = try MeshcastBinary.run(["topology", "apply", "topology/local.yaml"], environment: environment)
        #expect(applied.status == 0, "\(applied.standardError)")
        #expect(applied.standardOutput.contains("published to \(redis.url)"))
        let json = try #require(try redis.command(["GET", "topology"]).string)
        let stored = try JSONSerialization.jsonObject(with: Data(json.utf8))
        #expect((stored as? [String: Any])?["mesh"] as? String == "local")

        let after = try MeshcastBinary.run(["topology", "plan", "topology/local.yaml"], environment: environment)
        #expect(after.status == 0, "\(after.standardError)")
        #expect(after.standardOutput.contains("against the topology applied in Redis at \(redis.url)"))
        #expect(after.standardOutput.contains("No changes"))
    }

    @Test func planSaysSoWhenRedisIsUnreachable() throws {
        let outcome = try MeshcastBinary.run(
            ["topology", "plan", "topology/local.yaml"], environment: ["MESHCAST_REDIS_URL": "redis://127.0.0.1:1"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardError.contains("cannot read the running topology from Redis"))
        #expect(outcome.standardOutput.contains("+ node origin-1"))
    }
}
