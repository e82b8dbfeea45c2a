import Foundation
import MeshCluster

/// A throw-away six-node Redis Cluster (MeshCluster's `LocalRedisCluster`, the one `meshcast up`
/// would run) on free loopback ports in a temp directory; a master is failed over after 1 s.
///
/// `@unchecked Sendable` so a suite can share one: the cluster's process list changes only in
/// `init` and `deinit`; what tests call on it (ports, `CLUSTER` queries) opens fresh connections.
public final class ClusterTestSet: @unchecked Sendable {
    /// The running cluster.
    public let cluster: LocalRedisCluster

    /// Starts the cluster and waits until every node reports it healthy. A set kept in a static
    /// (shared by the process) passes `stoppedAtExit`, since statics are never deinitialized.
    /// `nodeTimeout`: how long a master may not answer before a replica takes over.
    public init(stoppedAtExit: Bool = false, nodeTimeout: Duration = .seconds(1)) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "meshcast-cluster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        cluster = LocalRedisCluster(
            executable: RedisServerProcess.findExecutable() ?? "/usr/bin/redis-server",
            ports: try Self.ports(count: 6), directory: directory, nodeTimeout: nodeTimeout)
        do {
            try cluster.start()
        } catch {
            cluster.stop()
            throw error
        }
        if stoppedAtExit {
            nonisolated(unsafe) let running = cluster
            ProcessExitCleanup.add {
                running.stop()
                try? FileManager.default.removeItem(at: running.directory)
            }
        }
    }

    deinit {
        cluster.stop()
        try? FileManager.default.removeItem(at: cluster.directory)
    }

    /// Ports free now whose cluster-bus port (+10000) is free too.
    static func ports(count: Int) throws -> [Int] {
        var ports: [Int] = []
        for _ in 0..<500 where ports.count < count {
            let port = Int.random(in: 20000..<45000)
            if !ports.contains(port), LoopbackPort.isFree(port), LoopbackPort.isFree(port + 10000) {
                ports.append(port)
            }
        }
        guard ports.count == count else { throw FreePort.NotFound(description: "no \(count) free cluster ports") }
        return ports
    }
}
