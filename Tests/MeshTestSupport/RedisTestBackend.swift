import Foundation
import MeshCluster

/// The kinds of Redis the mesh runs on, for tests parameterized over them
/// (`@Test(arguments: RedisTestKind.allCases)`).
public enum RedisTestKind: String, CaseIterable, Sendable, CustomStringConvertible {
    /// One `redis-server`, fresh for the test.
    case standalone
    /// A master, two replicas and three sentinels, shared by the test process.
    case sentinel
    /// A six-node Redis Cluster, shared by the test process.
    case cluster

    public var description: String { rawValue }
}

/// A Redis of a given kind for one test. Standalone: a fresh `RedisTestServer`. Sentinel and
/// Cluster: one set each per test process, started on first use (they take seconds to settle),
/// emptied with `FLUSHALL` on every master before each test; a test holds the process-wide lease
/// while it runs, so tests sharing a set never overlap, whichever suites they are in.
public enum RedisTestBackend {
    /// Runs `body` with the target of a Redis of `kind`, empty at the start.
    public static func with<T>(
        _ kind: RedisTestKind, _ body: (RedisTarget) async throws -> T
    ) async throws -> T {
        switch kind {
        case .standalone:
            let server = try RedisTestServer()
            defer { server.stop() }
            return try await body(.standalone(server.endpoint))
        case .sentinel, .cluster:
            await SharedSets.lease.acquire()
            do {
                let target = try SharedSets.target(kind)
                let result = try await body(target)
                await SharedSets.lease.release()
                return result
            } catch {
                await SharedSets.lease.release()
                throw error
            }
        }
    }
}

/// The process's shared Sentinel set and Cluster, and the lease that serializes their use. They
/// live for the whole run and no test fails them over on purpose: a master is called down after
/// 5 s, not 1 s, so a stall of a loaded machine does not fail one over under a test.
private enum SharedSets {
    static let lease = TestLease()
    nonisolated(unsafe) static let sentinel = Result {
        let set = try SentinelTestSet(downAfter: .seconds(5))
        nonisolated(unsafe) let shared = set.set
        ProcessExitCleanup.add { shared.stop() }
        return set
    }
    static let cluster = Result { try ClusterTestSet(stoppedAtExit: true, nodeTimeout: .seconds(5)) }

    /// The kind's target after emptying every master (called under the lease).
    static func target(_ kind: RedisTestKind) throws -> RedisTarget {
        switch kind {
        case .standalone:
            preconditionFailure("standalone servers are not shared")
        case .sentinel:
            let set = try sentinel.get().set
            guard let port = set.currentMasterPort else { throw RedisError.connection("no Sentinel master now") }
            _ = try flush(port)
            return set.target
        case .cluster:
            let set = try cluster.get().cluster
            for port in set.masterPorts() { _ = try flush(port) }
            return set.target
        }
    }

    private static func flush(_ port: Int) throws -> RedisReply {
        try RedisConnection(endpoint: RedisEndpoint(address: .tcp(host: "127.0.0.1", port: port)))
            .command(["FLUSHALL"])
    }
}
