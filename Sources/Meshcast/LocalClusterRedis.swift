import Foundation
import Glibc
import MeshCluster

/// The Redis Cluster `meshcast up` runs for a topology with `redis: {mode: cluster}` whose nodes
/// are on loopback and none answers: MeshCluster's `LocalRedisCluster` on the topology's six
/// ports (three masters, a replica each), every process under the ``ParentLifeline`` so it stops
/// even when `up` is killed. For demos and tests of failover on one machine.
final class LocalClusterRedis: LocalRedis {
    /// Why the cluster could not start.
    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    private let cluster: LocalRedisCluster

    /// Starts the cluster for `settings` (cluster mode; six nodes, all on loopback).
    init(settings: RedisSettings, lifeline: ParentLifeline) throws(StartFailure) {
        guard let executable = RedisServerProcess.findExecutable() else {
            throw StartFailure(
                description: "redis-server is not installed (Debian/Ubuntu: apt-get install redis-server)")
        }
        guard settings.nodes.count == 6,
            settings.nodes.allSatisfy({ ["127.0.0.1", "localhost"].contains($0.host) && $0.port < 55536 })
        else {
            throw StartFailure(
                description: "no node of the topology's Redis Cluster answers; a local one needs six loopback "
                    + "addresses below port 55536 (each node also binds its port + 10000)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshcast-up-cluster-\(getpid())")
        cluster = LocalRedisCluster(
            executable: executable, ports: settings.nodes.map { Int($0.port) }, directory: directory)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try cluster.start { process in
                try process.runWithDefaultSignalMask()
                try lifeline.watch(process.processIdentifier)
            }
        } catch {
            cluster.stop()
            throw StartFailure(description: "the local Redis Cluster did not start: \(error); see \(directory.path)")
        }
    }

    /// Whether any Cluster node of `settings` answers `PING` now.
    static func anyNodeAnswers(_ settings: RedisSettings) -> Bool {
        settings.nodes.contains { address in
            let endpoint = RedisEndpoint(address: .tcp(host: address.host, port: Int(address.port)))
            return (try? RedisConnection(endpoint: endpoint, connectTimeout: .milliseconds(300)).command(["PING"]))
                == .status("PONG")
        }
    }

    /// What was started, for the operator.
    var started: String {
        let masters = cluster.masterPorts().map(String.init).joined(separator: ", ")
        return "a local Redis Cluster on \(cluster.ports.map(String.init).joined(separator: ", ")) "
            + "(masters now: \(masters); \(cluster.directory.path))"
    }

    var stopped: String { "the local Redis Cluster stopped" }

    func stop() {
        cluster.stop()
        try? FileManager.default.removeItem(at: cluster.directory)
    }
}
