import MeshCluster
import MeshTestSupport
import Testing

/// The registry's death record (issue 15, item 7: `node.down` for a node that crashes): one
/// claim per life across the mesh (`SET NX` on `node:{id}:down`), none while the node is
/// registered, cleared by the node's next life; on a standalone server, a Sentinel set and a
/// Redis Cluster.
@Suite("Redis: node deaths", .timeLimit(.minutes(1)))
struct RedisNodeDeathTests {
    @Test(
        "one claimant among many wins a death; none while the node lives; its next life clears it",
        arguments: RedisTestKind.allCases)
    func oneClaimPerLife(kind: RedisTestKind) async throws {
        try await RedisTestBackend.with(kind) { target in
            let client = await RedisRegistryTests.connectedClient(target)
            let registry = NodeRegistry(client: client, ttl: .seconds(60))
            let edge = RedisRegistryTests.edge("edge-1", sessions: 0, capacity: 10)
            try await registry.heartbeat(edge)
            #expect(try await registry.claimDeath(of: "edge-1", by: "origin-1", at: 1) == false)
            #expect(try await registry.deathRecord(of: "edge-1") == nil)

            // The entry is gone (expired): eight nodes notice at once, one reports.
            _ = try await client.command(["DEL", "node:{edge-1}"])
            let claims = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        (try? await registry.claimDeath(of: "edge-1", by: "node-\(index)", at: 5)) ?? false
                    }
                }
                var won = 0
                for await claimed in group where claimed { won += 1 }
                return won
            }
            #expect(claims == 1)
            let record = try #require(try await registry.deathRecord(of: "edge-1"))
            #expect(record.claimant.hasPrefix("node-") && record.time == 5)
            #expect(try await registry.claimDeath(of: "edge-1", by: "late", at: 6) == false)

            // Its next life writes a fresh entry, which clears the record: that life may die too.
            try await registry.heartbeat(edge)
            #expect(try await registry.deathRecord(of: "edge-1") == nil)
            // A clean stop records itself, so nobody claims that death.
            try await registry.recordStop(of: "edge-1", at: 9)
            _ = try await client.command(["DEL", "node:{edge-1}"])
            #expect(try await registry.claimDeath(of: "edge-1", by: "origin-1", at: 10) == false)
            #expect(
                try await registry.deathRecord(of: "edge-1") == NodeRegistry.DeathRecord(claimant: "edge-1", time: 9))
            await client.shutdown()
        }
    }
}
