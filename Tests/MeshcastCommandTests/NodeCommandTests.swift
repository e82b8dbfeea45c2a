import Foundation
import MeshCluster
import MeshTestSupport
import Testing

/// `meshcast node` refusing to start with incomplete settings, and `meshcast node drain`
/// against a real redis-server.
@Suite struct NodeCommandTests {
    /// Secrets good enough to get past the token check, so the next check is the one tested.
    static let tokenSecret = "a-token-secret-long-enough-for-tests"

    @Test func aRelayRefusesToStartWithoutRedisAndNamesTheVariable() throws {
        let outcome = try MeshcastBinary.run(
            ["node", "--topology", "topology/local.yaml", "--id", "relay-1"],
            environment: ["MESHCAST_SECRET": Self.tokenSecret, "MESHCAST_REDIS_URL": nil])
        #expect(outcome.status == 1)
        #expect(outcome.standardError.contains("MESHCAST_REDIS_URL is not set: a relay runs only as part of a mesh"))
    }

    @Test func aWeakClusterSecretIsRefusedWhenRedisIsConfigured() throws {
        let outcome = try MeshcastBinary.run(
            ["node", "--topology", "topology/local.yaml", "--id", "origin-1"],
            environment: [
                "MESHCAST_SECRET": Self.tokenSecret, "MESHCAST_REDIS_URL": "redis://127.0.0.1:1",
                "MESHCAST_CLUSTER_SECRET": "short",
            ])
        #expect(outcome.status == 1)
        #expect(outcome.standardError.contains("MESHCAST_CLUSTER_SECRET is shorter than 16 bytes"))
    }

    @Test func aMissingClusterSecretIsRefusedWhenRedisIsConfigured() throws {
        let outcome = try MeshcastBinary.run(
            ["node", "--topology", "topology/local.yaml", "--id", "edge-a"],
            environment: [
                "MESHCAST_SECRET": Self.tokenSecret, "MESHCAST_REDIS_URL": "redis://127.0.0.1:1",
                "MESHCAST_CLUSTER_SECRET": nil,
            ])
        #expect(outcome.status == 1)
        #expect(outcome.standardError.contains("MESHCAST_CLUSTER_SECRET is not set"))
    }

    @Test func aRecorderWithoutItsCatalogIsRefusedWithASentence() throws {
        let outcome = try MeshcastBinary.run(
            ["node", "--topology", "topology/local.yaml", "--id", "recorder-1"],
            environment: [
                "MESHCAST_SECRET": Self.tokenSecret, "MESHCAST_REDIS_URL": "redis://127.0.0.1:1",
                "MESHCAST_CLUSTER_SECRET": Self.tokenSecret, "MESHCAST_POSTGRES_URL": nil,
            ])
        #expect(outcome.status == 1)
        #expect(outcome.standardError.contains("needs its catalog: set MESHCAST_POSTGRES_URL"))
    }

    @Test func drainSetsTheMarkInRedisAndUndoClearsIt() throws {
        let redis = try RedisTestServer()
        let drained = try MeshcastBinary.run(
            ["node", "drain", "edge-a", "--topology", "topology/local.yaml"],
            environment: ["MESHCAST_REDIS_URL": redis.url])
        #expect(drained.status == 0, "\(drained.standardError)")
        #expect(drained.standardOutput.contains("edge-a (edge) is draining"))
        // No heartbeat yet: the node is not live, and the command says the mark waits for it.
        #expect(drained.standardOutput.contains("edge-a is not running now"))
        #expect(try redis.command(["EXISTS", "node:{edge-a}:drain"]) == .integer(1))

        let undone = try MeshcastBinary.run(
            ["node", "drain", "edge-a", "--undo", "--topology", "topology/local.yaml"],
            environment: ["MESHCAST_REDIS_URL": redis.url])
        #expect(undone.status == 0, "\(undone.standardError)")
        #expect(undone.standardOutput.contains("edge-a (edge) is no longer draining"))
        #expect(try redis.command(["EXISTS", "node:{edge-a}:drain"]) == .integer(0))
    }

    @Test func drainSaysWhatStaysRunningForEachRole() throws {
        let redis = try RedisTestServer()
        let expected = [
            "origin-1": "origin-1 (origin) is draining: placement sends it no new viewers or links; "
                + "its publishers and viewers stay; new publishers and viewers go elsewhere.",
            "relay-1": "relay-1 (relay) is draining: placement sends it no new viewers or links; "
                + "streams it carries keep flowing; new paths avoid it.",
            "recorder-1": "recorder-1 (recorder) is draining: placement sends it no new viewers or links; "
                + "its recordings close their segments; new paths avoid it.",
        ]
        for (id, sentence) in expected {
            let drained = try MeshcastBinary.run(
                ["node", "drain", id, "--topology", "topology/local.yaml"],
                environment: ["MESHCAST_REDIS_URL": redis.url])
            #expect(drained.status == 0, "\(drained.standardError)")
            #expect(drained.standardOutput.contains(sentence), "\(drained.standardOutput)")
        }
    }

    @Test func drainNeedsTheRedisURLAndAKnownNode() throws {
        let withoutRedis = try MeshcastBinary.run(
            ["node", "drain", "edge-a", "--topology", "topology/local.yaml"],
            environment: ["MESHCAST_REDIS_URL": nil])
        #expect(withoutRedis.status == 1)
        #expect(withoutRedis.standardError.contains("MESHCAST_REDIS_URL is not set"))

        let unknown = try MeshcastBinary.run(
            ["node", "drain", "edge-z", "--topology", "topology/local.yaml"],
            environment: ["MESHCAST_REDIS_URL": "redis://127.0.0.1:1"])
        #expect(unknown.status == 1)
        #expect(unknown.standardError.contains("no node 'edge-z'"))
    }
}
