import Foundation
import MeshCluster

/// A throw-away local Sentinel set for one test (MeshCluster's `LocalSentinelSet`, the one
/// `meshcast up` would run): three data servers and three sentinels on free loopback ports in a
/// temp directory, a master called down after `downAfter` (1 s by default).
public final class SentinelTestSet {
    /// The running set.
    public let set: LocalSentinelSet

    /// Starts the set and waits until the sentinels agree on the master and it has both replicas.
    public init(masterName: String = "meshcast", downAfter: Duration = .seconds(1)) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "meshcast-sentinel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var ports: [Int] = []
        while ports.count < 6 {
            let port = try FreePort.tcp()
            if !ports.contains(port) { ports.append(port) }
        }
        set = LocalSentinelSet(
            executable: RedisServerProcess.findExecutable() ?? "/usr/bin/redis-server", masterName: masterName,
            serverPorts: Array(ports[0..<3]), sentinelPorts: Array(ports[3..<6]), directory: directory,
            downAfter: downAfter)
        do {
            try set.start()
        } catch {
            set.stop()
            throw error
        }
    }

    deinit {
        set.stop()
        try? FileManager.default.removeItem(at: set.directory)
    }
}
