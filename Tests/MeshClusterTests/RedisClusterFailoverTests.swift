import Foundation
import MeshCluster
import MeshTestSupport
import Testing

/// A master of a real local Redis Cluster killed with SIGKILL: its replica is promoted (node
/// timeout 1 s) and the client's slot map follows, with the promoted node's empty script cache.
@Suite("Redis Cluster failover", .serialized, .timeLimit(.minutes(2)))
struct RedisClusterFailoverTests {
    @Test("after kill -9 of a master the client reads and writes the slot on the promoted replica")
    func followsFailover() async throws {
        let set = try ClusterTestSet()
        let cluster = set.cluster
        let client = RedisClient(target: cluster.target, configuration: RedisClusterTests.quick)
        await client.waitUntil(available: true)
        let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        let key = "n:{failover}"
        #expect(try await client.run(script, keys: [key], arguments: ["2"]) == .integer(2))
        let first = try #require(cluster.masterPort(of: key))
        // The replica has the write before its master dies (READONLY: a replica may serve reads).
        _ = try await RedisSentinelTests.eventually {
            for port in cluster.ports where port != first {
                let replica = try RedisClusterTests.connection(port)
                _ = try replica.command(["READONLY"])
                if (try? replica.command(["GET", key])) == .bulk(Array("2".utf8)) { return port }
            }
            throw RedisError.unexpectedReply("no replica has the write yet")
        }

        let killed = ContinuousClock.now
        cluster.server(onPort: first)?.kill()
        let after = try await RedisSentinelTests.eventually {
            try await client.run(script, keys: [key], arguments: ["3"])
        }
        let recovered = ContinuousClock.now - killed
        #expect(after == .integer(5))
        let second = try #require(cluster.masterPort(of: key))
        #expect(second != first)
        // Other slots kept working throughout, and keep working.
        _ = try await RedisSentinelTests.eventually { try await client.command(["SET", "other:{x}", "1"]) }
        print("cluster failover: writes to the killed master's slot resumed \(recovered) after kill -9")
        await client.shutdown()
    }
}
