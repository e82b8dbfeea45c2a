import Foundation
import Glibc
import MeshCluster

/// A `redis-server` that `meshcast up` runs for the mesh when no Redis URL is given: loopback
/// only, a free port at or above 6379, no persistence, its own temporary directory. It starts
/// with no signal blocked, so SIGTERM stops it, and under a ``ParentLifeline`` watcher, so it
/// stops even when `up` is killed with SIGKILL. The process itself is MeshCluster's
/// `RedisServerProcess`, which the tests' Redis servers share; this type adds the port search,
/// the lifeline and the operator's messages.
final class LocalRedisServer: LocalRedis {
    /// Why the server could not start.
    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    private(set) var port = 0
    private let directory: URL
    private var server: RedisServerProcess?

    /// The server's process id.
    var pid: pid_t { server?.pid ?? 0 }

    /// Finds `redis-server`, starts it under `lifeline` and waits until it answers `PING`. A
    /// port taken between the check and the bind (another `up`, a test) moves it to the next.
    init(lifeline: ParentLifeline) throws(StartFailure) {
        guard let executable = RedisServerProcess.findExecutable() else {
            throw StartFailure(
                description: "redis-server is not installed and no Redis URL is set: install it "
                    + "(Debian/Ubuntu: apt-get install redis-server) or point the Redis URL variable at a running Redis"
            )
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshcast-up-redis-\(getpid())")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StartFailure(description: "cannot create \(directory.path): \(error.localizedDescription)")
        }
        var candidates = (6379..<6479).makeIterator()
        for _ in 0..<5 {
            guard let port = LoopbackPort.nextFree(&candidates) else { break }
            self.port = port
            if try start(executable, lifeline: lifeline) { return }
        }
        stop()
        throw StartFailure(
            description:
                "redis-server did not start on a free port between 6379 and 6478; see \(directory.path)/redis.log")
    }

    /// Starts the server on `port`; true once it answers, false if it exited first.
    private func start(_ executable: String, lifeline: ParentLifeline) throws(StartFailure) -> Bool {
        let server = RedisServerProcess(executable: executable, port: port, directory: directory)
        self.server = server
        do {
            try server.start { process in
                try process.runWithDefaultSignalMask()
                try lifeline.watch(process.processIdentifier)
            }
        } catch {
            stop()
            throw StartFailure(description: "cannot start \(executable): \(error.localizedDescription)")
        }
        switch server.waitUntilAnswering(attempts: 100, interval: .milliseconds(50)) {
        case .answering:
            return true
        case .exited:
            lifeline.unwatch(server.pid)
            return false
        case .silent:
            stop()
            throw StartFailure(
                description: "redis-server on port \(port) did not answer; see \(directory.path)/redis.log")
        }
    }

    var endpoint: RedisEndpoint { RedisEndpoint(address: .tcp(host: "127.0.0.1", port: port)) }
    var stopped: String { "redis-server on port \(port) stopped" }
    var url: String { endpoint.description }

    /// Stops the server (`SHUTDOWN NOSAVE`, SIGKILL if it lingers) and removes its directory.
    func stop() {
        server?.shutDown()
        try? FileManager.default.removeItem(at: directory)
    }
}
