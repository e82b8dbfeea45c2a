import Foundation
import Glibc
import MeshCluster
import MeshTestSupport
import Testing

/// `RedisClient` with a Sentinel target, against a real Sentinel set on loopback (Redis's
/// Sentinel client specification: ask the sentinels for the master, check `ROLE`, ask again
/// after a connection failure or a `READONLY` answer).
@Suite("Redis Sentinel", .serialized, .timeLimit(.minutes(2)))
struct RedisSentinelTests {
    static let quick = RedisClient.Configuration(
        backoff: ReconnectBackoff(initial: .milliseconds(50), maximum: .milliseconds(500)))

    /// Retries `body` every 100 ms until it succeeds or 30 s pass (readiness, not timing).
    static func eventually<T>(_ body: () async throws -> T) async throws -> T {
        var lastError: (any Error)?
        for _ in 0..<300 {
            do { return try await body() } catch { lastError = error }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw lastError ?? RedisError.closed("never succeeded")
    }

    @Test("the client finds the master through the sentinels and follows a failover after kill -9")
    func followsFailover() async throws {
        let sentinels = try SentinelTestSet()
        let set = sentinels.set
        let client = RedisClient(target: set.target, configuration: Self.quick)
        await client.waitUntil(available: true)
        let first = try #require(set.currentMasterPort)
        #expect(client.endpoint == "redis://127.0.0.1:\(first)")
        let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        #expect(try await client.run(script, keys: ["n"], arguments: ["2"]) == .integer(2))
        // Both replicas have the write before the master dies.
        for port in set.serverPorts where port != first {
            let replica = RedisEndpoint(address: .tcp(host: "127.0.0.1", port: port))
            let copied = try await Self.eventually {
                let value = try RedisConnection(endpoint: replica).command(["GET", "n"])
                guard value == .bulk(Array("2".utf8)) else { throw RedisError.unexpectedReply("not yet") }
                return value
            }
            #expect(copied == .bulk(Array("2".utf8)))
        }

        set.server(onPort: first)?.kill()
        let value = try await Self.eventually { try await client.command(["GET", "n"]) }
        #expect(value == .bulk(Array("2".utf8)))
        // Writes work again: the client is on the promoted replica, whose script cache is empty.
        let after = try await Self.eventually { try await client.run(script, keys: ["n"], arguments: ["3"]) }
        #expect(after == .integer(5))
        let second = try #require(set.currentMasterPort)
        #expect(second != first)
        #expect(client.endpoint == "redis://127.0.0.1:\(second)")
        await client.shutdown()
    }

    @Test("a master stopped (SIGSTOP) is failed over; the client follows, and the old master returns as a replica")
    func followsAStoppedMaster() async throws {
        let sentinels = try SentinelTestSet()
        let set = sentinels.set
        let client = RedisClient(target: set.target, configuration: Self.quick)
        await client.waitUntil(available: true)
        let first = try #require(set.currentMasterPort)
        let stopped = try #require(set.server(onPort: first))
        kill(stopped.pid, SIGSTOP)
        let written = try await Self.eventually { try await client.command(["SET", "k", "v"]) }
        #expect(written == .status("OK"))
        #expect(client.endpoint != "redis://127.0.0.1:\(first)")
        kill(stopped.pid, SIGCONT)
        let old = RedisEndpoint(address: .tcp(host: "127.0.0.1", port: first))
        let role = try await Self.eventually {
            let role = try RedisConnection(endpoint: old).command(["ROLE"]).array?.first?.string
            guard role == "slave" else { throw RedisError.unexpectedReply("still \(role ?? "nothing")") }
            return role
        }
        #expect(role == "slave")
        await client.shutdown()
    }

    @Test("READONLY, LOADING and MASTERDOWN answers mean: ask the sentinels again")
    func failoverSignals() {
        #expect(RedisError.server("READONLY You can't write against a read only replica.").isFailoverSignal)
        #expect(RedisError.server("LOADING Redis is loading the dataset in memory").isFailoverSignal)
        #expect(RedisError.server("MASTERDOWN Link with MASTER is down").isFailoverSignal)
        #expect(!RedisError.server("ERR unknown command").isFailoverSignal)
        #expect(!RedisError.timeout("read").isFailoverSignal)
    }
}
