import Foundation
import Glibc
import MeshCluster

/// A `redis-server` that `meshcast up` runs for the mesh when no Redis URL is given: loopback
/// only, a free port at or above 6379, no persistence, its own temporary directory.
final class LocalRedisServer {
    /// Why the server could not start.
    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    let port: Int
    private let directory: URL
    private let process: Process

    /// Finds `redis-server`, starts it and waits until it answers `PING`.
    init() throws(StartFailure) {
        guard let executable = Self.findExecutable() else {
            throw StartFailure(
                description: "redis-server is not installed and no Redis URL is set: install it "
                    + "(Debian/Ubuntu: apt-get install redis-server) or point the Redis URL variable at a running Redis"
            )
        }
        guard let port = (6379..<6479).first(where: Self.isFree) else {
            throw StartFailure(description: "no free TCP port between 6379 and 6478 for a local redis-server")
        }
        self.port = port
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshcast-up-redis-\(getpid())")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StartFailure(description: "cannot create \(directory.path): \(error.localizedDescription)")
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", directory.path, "--logfile", directory.appendingPathComponent("redis.log").path,
        ]
        do {
            try process.run()
        } catch {
            throw StartFailure(description: "cannot start \(executable): \(error.localizedDescription)")
        }
        // Readiness wait, bounded: the server answers PING once it listens.
        for _ in 0..<100 {
            if let connection = try? RedisConnection(endpoint: endpoint),
                (try? connection.command(["PING"])) == .status("PONG")
            {
                return
            }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        stop()
        throw StartFailure(description: "redis-server on port \(port) did not start; see \(directory.path)/redis.log")
    }

    var endpoint: RedisEndpoint { RedisEndpoint(address: .tcp(host: "127.0.0.1", port: port)) }
    var url: String { endpoint.description }

    /// Stops the server and removes its directory. Asks with `SHUTDOWN NOSAVE` rather than a
    /// signal: a child spawned from this async command inherits a signal mask that blocks
    /// SIGTERM and SIGINT, so redis-server would never see them. SIGKILL if it lingers.
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
