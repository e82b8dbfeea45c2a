import Logging
import MeshCluster
import MeshControl
import MeshTestSupport
import Testing

@testable import MeshCascade

/// `node.down` for a node that crashed (issue 15, item 7): every node's watch notices the
/// expired heartbeat, exactly one reports it (its death claimed in Redis), the webhook names
/// the dead node; a node that stopped cleanly is not reported again; on all three Redis kinds.
@Suite(.serialized) struct NodeDeathWatchTests {
    static let hook = WebhookTarget(url: "http://127.0.0.1:9/hook", secretVariable: "HOOK_SECRET")

    /// The node.down bodies in the outbox.
    static func downs(_ redis: RedisClient) async throws -> [String] {
        let entries = try await redis.command(["XRANGE", WebhookOutbox.streamKey, "-", "+"]).array ?? []
        return entries.compactMap { entry -> String? in
            guard let fields = entry.array?.last?.array?.compactMap(\.string) else { return nil }
            let pairs = Dictionary(
                uniqueKeysWithValues: stride(from: 0, to: fields.count - 1, by: 2).map {
                    (fields[$0], fields[$0 + 1])
                })
            return pairs["event"] == "node.down" ? pairs["body"] : nil
        }
    }

    @Test(arguments: RedisTestKind.allCases)
    func aCrashedNodeIsReportedDownOnceByOneOfTheOthers(kind: RedisTestKind) async throws {
        try await RedisTestBackend.with(kind) { target in
            let redis = RedisClient(target: target)
            await redis.waitUntil(available: true)
            let watches = ["origin-1", "relay-1"].map { id in
                NodeDeathWatch(
                    nodeID: id, redis: redis,
                    webhooks: WebhookEvents(outbox: WebhookOutbox(redis: redis), node: id) { [Self.hook] },
                    logger: Logger(label: "test.\(id)"))
            }
            var memories = [NodeDeathWatch.Memory(), NodeDeathWatch.Memory()]
            let long = NodeRegistry(client: redis, ttl: .seconds(60))
            for id in ["origin-1", "relay-1", "edge-b"] {
                try await long.heartbeat(RedisRegistryFixture.status(id))
            }
            // edge-a beats, is seen, then crashes: its entry expires (at once here, rather than
            // after a short TTL that a slow sweep could outlast before it ever saw edge-a).
            try await long.heartbeat(RedisRegistryFixture.status("edge-a"))
            for index in 0..<2 { #expect(await watches[index].sweep(&memories[index]).isEmpty) }
            _ = try await redis.command(["PEXPIRE", "node:{edge-a}", "1"])
            while try await long.node(id: "edge-a") != nil { try await Task.sleep(for: .milliseconds(20)) }

            // The first sweep after the expiry only notes it missing (a failover may have lost a live entry).
            for index in 0..<2 { #expect(await watches[index].sweep(&memories[index]).isEmpty) }
            var reported: [String] = []
            for index in 0..<2 { reported += await watches[index].sweep(&memories[index]) }
            #expect(reported == ["edge-a"])
            let downs = try await Self.downs(redis)
            #expect(downs.count == 1)
            #expect(downs.first?.contains(#""node":"edge-a""#) == true, "\(downs)")
            // Later sweeps report nothing more.
            for index in 0..<2 { #expect(await watches[index].sweep(&memories[index]).isEmpty) }

            // edge-b stops cleanly: its own record is written, so the watches stay quiet.
            let edgeB = NodeDeathWatch(nodeID: "edge-b", redis: redis, webhooks: .none, logger: Logger(label: "b"))
            await edgeB.stopped()
            _ = try await redis.command(["DEL", "node:{edge-b}"])
            for _ in 0..<2 {
                for index in 0..<2 { #expect(await watches[index].sweep(&memories[index]).isEmpty) }
            }
            #expect(try await Self.downs(redis).count == 1)
            await redis.shutdown()
        }
    }
}

/// Statuses for the death watch tests: alive, with room, in region a.
enum RedisRegistryFixture {
    static func status(_ id: String) -> NodeStatus {
        NodeStatus(
            id: id, role: .edge, region: "a", apiURL: "http://127.0.0.1:1", mediaAddress: "127.0.0.1:2",
            capacity: NodeStatus.Capacity(sessions: 10, egressBitsPerSecond: 1_000_000), updatedAt: 1)
    }
}
