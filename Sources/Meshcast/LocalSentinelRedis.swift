import Foundation
import Glibc
import MeshCluster

/// The Sentinel set `meshcast up` runs for a topology with `redis: {mode: sentinel}` whose
/// sentinels are on loopback and not running: MeshCluster's `LocalSentinelSet` (a master, two
/// replicas on free ports from 6379 up, and the three sentinels on the topology's ports), every
/// process under the ``ParentLifeline`` so it stops even when `up` is killed. For demos and
/// tests of failover on one machine.
final class LocalSentinelRedis: LocalRedis {
    /// Why the set could not start.
    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    private let set: LocalSentinelSet

    /// Starts the set for `settings` (sentinel mode; every sentinel on loopback).
    init(settings: RedisSettings, lifeline: ParentLifeline) throws(StartFailure) {
        guard let executable = RedisServerProcess.findExecutable() else {
            throw StartFailure(
                description: "redis-server is not installed (Debian/Ubuntu: apt-get install redis-server)")
        }
        guard settings.sentinels.allSatisfy({ ["127.0.0.1", "localhost", "::1"].contains($0.host) }) else {
            throw StartFailure(
                description: "no sentinel of the topology answers, and they are not all on loopback: start them, "
                    + "or list loopback addresses for a local Sentinel set")
        }
        var serverPorts: [Int] = []
        var candidate = 6379
        let sentinelPorts = settings.sentinels.map { Int($0.port) }
        while serverPorts.count < 3, candidate < 6479 {
            if !sentinelPorts.contains(candidate), LoopbackPort.isFree(candidate) { serverPorts.append(candidate) }
            candidate += 1
        }
        guard serverPorts.count == 3 else {
            throw StartFailure(description: "no three free ports between 6379 and 6478 for the Sentinel set's servers")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "meshcast-up-sentinel-\(getpid())")
        set = LocalSentinelSet(
            executable: executable, masterName: settings.masterName ?? "meshcast", serverPorts: serverPorts,
            sentinelPorts: sentinelPorts, directory: directory)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try set.start { process in
                try process.runWithDefaultSignalMask()
                try lifeline.watch(process.processIdentifier)
            }
        } catch {
            set.stop()
            throw StartFailure(description: "the local Sentinel set did not start: \(error); see \(directory.path)")
        }
    }

    /// Whether any sentinel of `settings` answers `PING` now.
    static func anySentinelAnswers(_ settings: RedisSettings) -> Bool {
        settings.sentinels.contains { address in
            let endpoint = RedisEndpoint(address: .tcp(host: address.host, port: Int(address.port)))
            return (try? RedisConnection(endpoint: endpoint, connectTimeout: .milliseconds(300)).command(["PING"]))
                == .status("PONG")
        }
    }

    /// What was started, for the operator.
    var started: String {
        let replicas = set.serverPorts.dropFirst().map(String.init).joined(separator: ", ")
        let sentinels = set.sentinelPorts.map(String.init).joined(separator: ", ")
        return "a local Sentinel set: master on \(set.serverPorts[0]), replicas on \(replicas), "
            + "sentinels on \(sentinels) (\(set.directory.path))"
    }

    var stopped: String { "the local Sentinel set stopped" }

    func stop() {
        set.stop()
        try? FileManager.default.removeItem(at: set.directory)
    }
}

/// A Redis that `meshcast up` started for the run and stops at its end.
protocol LocalRedis: AnyObject {
    /// The line printed once it stopped.
    var stopped: String { get }
    /// Stops it.
    func stop()
}
