import Foundation
import Glibc

/// One `redis-server` child process on 127.0.0.1: no persistence (no RDB, no AOF), its log in
/// its own directory. `meshcast up` runs one for a mesh without a Redis URL, and the tests run
/// one each (MeshTestSupport's `RedisTestServer`); both start, wait for and stop it here, and
/// differ only in how they pick the port and spawn the process.
///
/// A `Process` runs once, so restarting on the same port is a new `RedisServerProcess`.
public final class RedisServerProcess {
    /// How a wait for the server's first answer ended.
    public enum Readiness: Sendable, Equatable {
        /// It answered `PING`.
        case answering
        /// It exited first (typically: another process took the port).
        case exited
        /// It is running but never answered.
        case silent
    }

    /// The `redis-server` binary run.
    public let executable: String
    /// The loopback port it listens on.
    public let port: Int
    /// Where it runs and writes its log; the caller creates and removes it.
    public let directory: URL
    private let process = Process()

    /// Prepares the server; nothing runs until ``start(spawning:)``. `extraArguments` go after
    /// the standard ones (`--replicaof HOST PORT` for a replica of a local Sentinel set).
    public init(executable: String, port: Int, directory: URL, extraArguments: [String] = []) {
        self.executable = executable
        self.port = port
        self.directory = directory
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments =
            [
                "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", directory.path, "--logfile", logFile.path,
            ] + extraArguments
    }

    /// Where the server writes its log.
    public var logFile: URL { directory.appendingPathComponent("redis.log") }
    /// The endpoint that reaches it.
    public var endpoint: RedisEndpoint { RedisEndpoint(address: .tcp(host: "127.0.0.1", port: port)) }
    /// The server's process id (0 before it starts).
    public var pid: pid_t { process.processIdentifier }
    /// Whether the server process is running.
    public var isRunning: Bool { process.isRunning }

    /// Starts the process through `spawn`, which must run it: `meshcast up` clears the signal
    /// mask first and puts it under its lifeline; tests just call `run()`.
    public func start(spawning spawn: (Process) throws -> Void = { try $0.run() }) rethrows {
        try spawn(process)
    }

    /// Polls with `PING` up to `attempts` times, `interval` apart, until the server answers or
    /// exits. A readiness wait, bounded; not a timing assertion.
    public func waitUntilAnswering(attempts: Int, interval: Duration) -> Readiness {
        let pause = useconds_t(interval / .microseconds(1))
        for _ in 0..<attempts {
            if let connection = try? RedisConnection(endpoint: endpoint),
                (try? connection.command(["PING"])) == .status("PONG")
            {
                return .answering
            }
            guard process.isRunning else { return .exited }
            usleep(pause)
        }
        return .silent
    }

    /// Stops the server cleanly and waits for it: `SHUTDOWN NOSAVE` first (it answers even
    /// where a signal would not be delivered), SIGKILL if it lingers past 5 s.
    public func shutDown() {
        guard process.isRunning else { return }
        if let connection = try? RedisConnection(endpoint: endpoint) {
            _ = try? connection.command(["SHUTDOWN", "NOSAVE"])
        }
        for _ in 0..<50 where process.isRunning { usleep(100_000) }
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Kills the server with SIGKILL, as a crash would, and waits for it to exit.
    public func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// `redis-server` on `searchPath` (a `PATH` value; the process's own when nil), then in
    /// `/usr/sbin` and `/usr/bin`; nil when it is not installed.
    public static func findExecutable(searchPath: String? = nil) -> String? {
        let path = searchPath ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin"]
        return directories.map { "\($0)/redis-server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
