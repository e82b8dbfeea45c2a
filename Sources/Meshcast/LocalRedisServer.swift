import Foundation
import Glibc
import MeshCluster

/// A `redis-server` that `meshcast up` runs for the mesh when no Redis URL is given: loopback
/// only, a free port at or above 6379, no persistence, its own temporary directory. It starts
/// with no signal blocked, so SIGTERM stops it, and under a ``ParentLifeline`` watcher, so it
/// stops even when `up` is killed with SIGKILL.
final class LocalRedisServer {
    /// Why the server could not start.
    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    private(set) var port = 0
    private let directory: URL
    private var process = Process()

    /// The server's process id.
    var pid: pid_t { process.processIdentifier }

    /// Finds `redis-server`, starts it under `lifeline` and waits until it answers `PING`. A
    /// port taken between the check and the bind (another `up`, a test) moves it to the next.
    init(lifeline: ParentLifeline) throws(StartFailure) {
        guard let executable = Self.findExecutable() else {
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
            guard let port = Self.nextFreePort(&candidates) else { break }
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
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", directory.path, "--logfile", directory.appendingPathComponent("redis.log").path,
        ]
        do {
            try process.runWithDefaultSignalMask()
            try lifeline.watch(process.processIdentifier)
        } catch {
            stop()
            throw StartFailure(description: "cannot start \(executable): \(error.localizedDescription)")
        }
        // Readiness wait, bounded: the server answers PING once it listens.
        for _ in 0..<100 {
            if let connection = try? RedisConnection(endpoint: endpoint),
                (try? connection.command(["PING"])) == .status("PONG")
            {
                return true
            }
            guard process.isRunning else {
                lifeline.unwatch(process.processIdentifier)
                return false
            }
            usleep(50_000)
        }
        stop()
        throw StartFailure(description: "redis-server on port \(port) did not answer; see \(directory.path)/redis.log")
    }

    var endpoint: RedisEndpoint { RedisEndpoint(address: .tcp(host: "127.0.0.1", port: port)) }
    var url: String { endpoint.description }

    /// Stops the server and removes its directory: `SHUTDOWN NOSAVE` first (it answers even
    /// where a signal would not be delivered), SIGKILL if it lingers.
    func stop() {
        if process.isRunning {
            if let connection = try? RedisConnection(endpoint: endpoint) {
                _ = try? connection.command(["SHUTDOWN", "NOSAVE"])
            }
            for _ in 0..<50 where process.isRunning { usleep(100_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private static func findExecutable() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin"]
        return directories.map { "\($0)/redis-server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The next port of `candidates` that a loopback listener could bind now.
    private static func nextFreePort(_ candidates: inout Range<Int>.Iterator) -> Int? {
        while let port = candidates.next() {
            if isFree(port) { return port }
        }
        return nil
    }

    /// Whether a loopback TCP listener could bind `port` now.
    private static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
