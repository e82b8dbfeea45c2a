import Foundation
import Glibc

/// A Sentinel set on loopback for tests and demos: a master, two replicas and three sentinels
/// (quorum 2), no persistence, everything in one directory. Sentinels call a master down after
/// `downAfter` and fail over to a replica; `RedisClient` with a `.sentinel` target follows.
///
/// Not for production: one machine holds every copy of the data.
public final class LocalSentinelSet {
    /// The set could not start.
    public struct StartFailure: Error, CustomStringConvertible {
        /// What went wrong.
        public let description: String
    }

    /// The name the sentinels monitor the master under.
    public let masterName: String
    /// The data servers' ports; the first starts as master.
    public let serverPorts: [Int]
    /// The sentinels' ports.
    public let sentinelPorts: [Int]
    /// Where the servers and sentinels run and log.
    public let directory: URL
    /// The data servers, by index of `serverPorts`.
    public private(set) var servers: [RedisServerProcess] = []
    private var sentinels: [Process] = []
    private let executable: String
    private let downAfter: Duration

    /// Prepares a set on `serverPorts` (three: master and two replicas) and `sentinelPorts`
    /// (three); nothing runs until ``start(spawning:)``.
    public init(
        executable: String, masterName: String, serverPorts: [Int], sentinelPorts: [Int], directory: URL,
        downAfter: Duration = .seconds(1)
    ) {
        self.executable = executable
        self.masterName = masterName
        self.serverPorts = serverPorts
        self.sentinelPorts = sentinelPorts
        self.directory = directory
        self.downAfter = downAfter
    }

    /// The sentinels as a client reaches them.
    public var sentinelEndpoints: [RedisEndpoint] {
        sentinelPorts.map { RedisEndpoint(address: .tcp(host: "127.0.0.1", port: $0)) }
    }

    /// The target a `RedisClient` uses.
    public var target: RedisTarget {
        .sentinel(RedisSentinels(masterName: masterName, sentinels: sentinelEndpoints))
    }

    /// Starts the master, the replicas and the sentinels through `spawn`, and waits (bounded)
    /// until every sentinel names the master and the master sees both replicas.
    public func start(spawning spawn: (Process) throws -> Void = { try $0.run() }) throws {
        guard let masterPort = serverPorts.first else { throw StartFailure(description: "no server ports") }
        for (index, port) in serverPorts.enumerated() {
            let replicaOf = index == 0 ? [] : ["--replicaof", "127.0.0.1", String(masterPort)]
            // Each server in its own directory: they all call their log redis.log.
            let own = directory.appendingPathComponent("server-\(port)")
            try FileManager.default.createDirectory(at: own, withIntermediateDirectories: true)
            let server = RedisServerProcess(
                executable: executable, port: port, directory: own, extraArguments: replicaOf)
            try server.start(spawning: spawn)
            servers.append(server)
            guard server.waitUntilAnswering(attempts: 200, interval: .milliseconds(25)) == .answering else {
                throw StartFailure(
                    description: "redis-server on port \(port) did not answer; see \(server.logFile.path)")
            }
        }
        let downAfterMilliseconds = downAfter / .milliseconds(1)
        for port in sentinelPorts {
            let config = directory.appendingPathComponent("sentinel-\(port).conf")
            let text = """
                port \(port)
                bind 127.0.0.1
                dir \(directory.path)
                logfile \(directory.appendingPathComponent("sentinel-\(port).log").path)
                sentinel monitor \(masterName) 127.0.0.1 \(masterPort) 2
                sentinel down-after-milliseconds \(masterName) \(Int(downAfterMilliseconds))
                sentinel failover-timeout \(masterName) 5000
                sentinel parallel-syncs \(masterName) 1

                """
            try text.write(to: config, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [config.path, "--sentinel"]
            try spawn(process)
            sentinels.append(process)
        }
        try waitUntilReady(masterPort: masterPort)
    }

    /// Polls until every sentinel names `masterPort` as master and the master has its replicas
    /// online: readiness, bounded at 20 s.
    private func waitUntilReady(masterPort expected: Int) throws {
        for _ in 0..<200 {
            if sentinelEndpoints.allSatisfy({ masterPort(askedOf: $0) == expected }), connectedReplicas() == 2 {
                return
            }
            usleep(100_000)
        }
        throw StartFailure(description: "the Sentinel set on \(sentinelPorts) did not settle; see \(directory.path)")
    }

    /// The master's port as `sentinel` names it now.
    public func masterPort(askedOf sentinel: RedisEndpoint) -> Int? {
        guard let connection = try? RedisConnection(endpoint: sentinel) else { return nil }
        return (try? SentinelResolver.masterAddress(askedOf: connection, masterName: masterName))??.port
    }

    /// The master's port as the first sentinel that answers names it.
    public var currentMasterPort: Int? {
        sentinelEndpoints.lazy.compactMap { self.masterPort(askedOf: $0) }.first
    }

    private func connectedReplicas() -> Int {
        guard let port = currentMasterPort,
            let connection = try? RedisConnection(
                endpoint: RedisEndpoint(address: .tcp(host: "127.0.0.1", port: port))),
            let info = try? connection.command(["INFO", "replication"]).string
        else { return 0 }
        return info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("connected_slaves:") }
            .flatMap { Int($0.dropFirst("connected_slaves:".count)) } ?? 0
    }

    /// The data server on `port`, if it belongs to the set.
    public func server(onPort port: Int) -> RedisServerProcess? {
        servers.first { $0.port == port }
    }

    /// Kills every process of the set (SIGKILL) and waits for them.
    public func stop() {
        for sentinel in sentinels where sentinel.isRunning {
            Glibc.kill(sentinel.processIdentifier, SIGKILL)
            sentinel.waitUntilExit()
        }
        sentinels = []
        for server in servers { server.kill() }
    }
}
