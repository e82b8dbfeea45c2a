import Foundation
import Glibc

/// A six-node Redis Cluster on loopback for tests and demos: three masters and a replica each
/// (`redis-cli --cluster create … --cluster-replicas 1`), no persistence, every node in its own
/// directory. A master that stops answering is failed over after `nodeTimeout`.
///
/// Each node also listens on its port + 10000 (the cluster bus), so ports must stay below 55536.
/// Not for production: one machine holds every copy of the data.
public final class LocalRedisCluster {
    /// The cluster could not start.
    public struct StartFailure: Error, CustomStringConvertible {
        /// What went wrong.
        public let description: String
    }

    /// The nodes' ports (six).
    public let ports: [Int]
    /// Where the nodes run and log.
    public let directory: URL
    /// The nodes, by index of `ports`.
    public private(set) var servers: [RedisServerProcess] = []
    private let executable: String
    private let nodeTimeout: Duration

    /// Prepares a cluster on `ports`; nothing runs until ``start(spawning:)``.
    public init(executable: String, ports: [Int], directory: URL, nodeTimeout: Duration = .seconds(1)) {
        self.executable = executable
        self.ports = ports
        self.directory = directory
        self.nodeTimeout = nodeTimeout
    }

    /// The nodes as a client reaches them.
    public var endpoints: [RedisEndpoint] {
        ports.map { RedisEndpoint(address: .tcp(host: "127.0.0.1", port: $0)) }
    }

    /// The target a `RedisClient` uses: every node a seed.
    public var target: RedisTarget { .cluster(RedisClusterSeeds(nodes: endpoints)) }

    /// `redis-cli` beside `redis-server`, which creates the cluster.
    var cliExecutable: String {
        URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("redis-cli").path
    }

    /// Starts the six nodes through `spawn`, joins them with `redis-cli --cluster create`, and
    /// waits (bounded) until every node reports `cluster_state:ok`.
    public func start(spawning spawn: (Process) throws -> Void = { try $0.run() }) throws {
        guard ports.count == 6 else { throw StartFailure(description: "a local cluster needs six ports, got \(ports)") }
        let timeout = Int(nodeTimeout / .milliseconds(1))
        for port in ports {
            let own = directory.appendingPathComponent("node-\(port)")
            try FileManager.default.createDirectory(at: own, withIntermediateDirectories: true)
            let server = RedisServerProcess(
                executable: executable, port: port, directory: own,
                extraArguments: [
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", String(timeout),
                ])
            try server.start(spawning: spawn)
            servers.append(server)
            guard server.waitUntilAnswering(attempts: 200, interval: .milliseconds(25)) == .answering else {
                throw StartFailure(
                    description: "redis-server on port \(port) did not answer; see \(server.logFile.path)")
            }
        }
        let create = Process()
        create.executableURL = URL(fileURLWithPath: cliExecutable)
        create.arguments =
            ["--cluster", "create"] + ports.map { "127.0.0.1:\($0)" } + ["--cluster-replicas", "1", "--cluster-yes"]
        let log = directory.appendingPathComponent("cluster-create.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        create.standardOutput = output
        create.standardError = output
        try spawn(create)
        create.waitUntilExit()
        guard create.terminationStatus == 0 else {
            throw StartFailure(description: "redis-cli --cluster create failed; see \(log.path)")
        }
        try waitUntilReady()
    }

    /// Polls until every node says `cluster_state:ok` and three masters serve the slots:
    /// readiness, bounded at 20 s.
    private func waitUntilReady() throws {
        for _ in 0..<200 {
            if ports.allSatisfy({ state(ofNodeOn: $0) == "ok" }), masterPorts().count == 3 { return }
            usleep(100_000)
        }
        throw StartFailure(description: "the cluster on \(ports) did not settle; see \(directory.path)")
    }

    /// `cluster_state` as the node on `port` reports it (`ok` or `fail`), nil when it does not answer.
    public func state(ofNodeOn port: Int) -> String? {
        guard
            let connection = try? RedisConnection(
                endpoint: RedisEndpoint(address: .tcp(host: "127.0.0.1", port: port))),
            let info = try? connection.command(["CLUSTER", "INFO"]).string
        else { return nil }
        return info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("cluster_state:") }
            .map { String($0.dropFirst("cluster_state:".count)) }
    }

    /// The ports of the masters that serve slots now, as the first answering node sees them.
    public func masterPorts() -> [Int] {
        for endpoint in endpoints {
            guard let connection = try? RedisConnection(endpoint: endpoint),
                let reply = try? connection.command(["CLUSTER", "SLOTS"]),
                let map = try? RedisSlotMap(clusterSlots: reply, askedHost: "127.0.0.1"), map.coversEverySlot
            else { continue }
            return Array(Set(map.masters.map(\.port))).sorted()
        }
        return []
    }

    /// The port of the master serving `key`'s slot now.
    public func masterPort(of key: String) -> Int? {
        for endpoint in endpoints {
            guard let connection = try? RedisConnection(endpoint: endpoint),
                let reply = try? connection.command(["CLUSTER", "SLOTS"]),
                let map = try? RedisSlotMap(clusterSlots: reply, askedHost: "127.0.0.1"), map.coversEverySlot
            else { continue }
            return map.owner(of: RedisHashSlot.of(key))?.port
        }
        return nil
    }

    /// The node on `port`, if it belongs to the cluster.
    public func server(onPort port: Int) -> RedisServerProcess? {
        servers.first { $0.port == port }
    }

    /// Kills every node (SIGKILL) and waits for them.
    public func stop() {
        for server in servers { server.kill() }
    }
}
