import Foundation
import Glibc

/// A throw-away PostgreSQL cluster on 127.0.0.1: `initdb` into its own directory, then
/// `postgres` on a given port, trust authentication for the superuser `meshcast` on loopback
/// only, no fsync (the data is thrown away). `meshcast up` runs one for a mesh with a recorder
/// and no catalog URL, and the tests run one each (MeshTestSupport's `PostgresTestServer`); both
/// initialise, start, wait for and stop it here, as MeshCluster's `RedisServerProcess` does
/// for Redis.
///
/// PostgreSQL refuses to run as root ("root execution of the PostgreSQL server is not
/// permitted"), and this machine (CI, containers) often is root. So, when we are root, `initdb`
/// and `postgres` run as the unprivileged `postgres` user that Debian's `postgresql` package
/// creates, through `setpriv` (util-linux), which `exec`s the binary itself and so leaves no
/// parent in between: the pid we hold is the postmaster's, and signals reach it. The data
/// directory is then owned by that user. As any other user they run as that user.
public final class PostgresServerProcess {
    /// Why the cluster could not be made or started.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong, with where to look.
        public let description: String

        /// A failure described by `description`.
        public init(description: String) {
            self.description = description
        }
    }

    /// Where PostgreSQL's binaries live (`initdb`, `postgres`).
    public let binaries: URL
    /// The loopback port it listens on.
    public let port: Int
    /// The cluster's parent directory; the caller creates and removes it.
    public let directory: URL
    private var process: Process?

    /// Prepares the cluster; nothing runs until ``initialize()`` and ``start(spawning:)``.
    public init(binaries: URL, port: Int, directory: URL) {
        self.binaries = binaries
        self.port = port
        self.directory = directory
    }

    /// The data directory inside `directory`.
    public var dataDirectory: URL { directory.appendingPathComponent("data") }
    /// Where the server writes its log.
    public var logFile: URL { directory.appendingPathComponent("postgres.log") }
    /// The URL that reaches it as the superuser `meshcast`, database `postgres`.
    public var url: String { "postgresql://meshcast@127.0.0.1:\(port)/postgres" }
    /// The server's process id (0 before it starts).
    public var pid: pid_t { process?.processIdentifier ?? 0 }
    /// Whether the server process is running.
    public var isRunning: Bool { process?.isRunning ?? false }

    /// Runs `initdb` into ``dataDirectory`` (once; a restart reuses the cluster).
    public func initialize() throws(Failure) {
        try ownDirectory()
        let initdb = Process()
        (initdb.executableURL, initdb.arguments) = command(
            "initdb", ["-D", dataDirectory.path, "-U", "meshcast", "-A", "trust", "-E", "UTF8", "--no-sync"])
        let log = try logHandle()
        initdb.standardOutput = log
        initdb.standardError = log
        do {
            try initdb.run()
        } catch {
            throw Failure(description: "cannot run initdb: \(error.localizedDescription)")
        }
        initdb.waitUntilExit()
        guard initdb.terminationStatus == 0 else {
            throw Failure(description: "initdb failed (status \(initdb.terminationStatus)); see \(logFile.path)")
        }
    }

    /// Copies `template`, the data directory of a stopped, initialised cluster (`cp -a`, keeping its owner)
    /// instead of running `initdb` again: how tests get a fresh cluster each in a fraction of
    /// initdb's time.
    public func initialize(copying template: URL) throws(Failure) {
        try ownDirectory()
        let copy = Process()
        copy.executableURL = URL(fileURLWithPath: "/bin/cp")
        copy.arguments = ["-a", template.path, dataDirectory.path]
        do {
            try copy.run()
        } catch {
            throw Failure(description: "cannot run cp: \(error.localizedDescription)")
        }
        copy.waitUntilExit()
        guard copy.terminationStatus == 0 else {
            throw Failure(description: "cannot copy \(template.path) (status \(copy.terminationStatus))")
        }
    }

    /// Starts `postgres` through `spawn`, which must run it: `meshcast up` clears the signal
    /// mask first and puts it under its lifeline; tests just call `run()`. A stopped server
    /// starts again on the same data and port.
    public func start(spawning spawn: (Process) throws -> Void = { try $0.run() }) throws(Failure) {
        let server = Process()
        (server.executableURL, server.arguments) = command(
            "postgres",
            [
                "-D", dataDirectory.path, "-p", String(port), "-k", directory.path,
                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off",
                "-c", "synchronous_commit=off",
            ])
        let log = try logHandle()
        server.standardOutput = log
        server.standardError = log
        do {
            try spawn(server)
        } catch {
            throw Failure(description: "cannot start postgres: \(error.localizedDescription)")
        }
        process = server
    }

    /// Polls with `PQping` up to `attempts` times, `interval` apart, until the server accepts
    /// connections; false if it exited or never did. A readiness wait, not a timing assertion.
    public func waitUntilAccepting(attempts: Int, interval: Duration) -> Bool {
        let pause = useconds_t(interval / .microseconds(1))
        for _ in 0..<attempts {
            if PostgresConnection.ping(url: url) { return true }
            guard isRunning else { return false }
            usleep(pause)
        }
        return false
    }

    /// Stops the server with a fast shutdown (SIGINT: clients are disconnected, the data is
    /// kept), SIGKILL if it lingers past 10 s, and waits for it.
    public func stop() {
        signalAndWait(SIGINT)
    }

    /// Kills the server with SIGKILL, as a crash would, and waits for it to exit. Its backends
    /// notice the postmaster is gone and exit on their own.
    public func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    private func signalAndWait(_ signal: Int32) {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, signal)
        for _ in 0..<100 where process.isRunning { usleep(100_000) }
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// What to run for `binary`: through `setpriv` when we are root (see the type's comment),
    /// else the binary itself.
    private func command(_ binary: String, _ arguments: [String]) -> (URL?, [String]?) {
        let path = binaries.appendingPathComponent(binary)
        guard getuid() == 0 else { return (path, arguments) }
        let drop = ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", path.path]
        return (URL(fileURLWithPath: "/usr/bin/setpriv"), drop + arguments)
    }

    /// As root, hands `directory` to the `postgres` user, which initdb and the server run as.
    private func ownDirectory() throws(Failure) {
        guard getuid() == 0 else { return }
        guard let user = getpwnam("postgres") else {
            throw Failure(
                description: "PostgreSQL cannot run as root and there is no `postgres` user: install Debian's "
                    + "postgresql package (scripts/setup)")
        }
        guard chown(directory.path, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else {
            throw Failure(description: "cannot give \(directory.path) to postgres: \(String(cString: strerror(errno)))")
        }
    }

    private func logHandle() throws(Failure) -> FileHandle {
        if !FileManager.default.fileExists(atPath: logFile.path) {
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: logFile.path) else {
            throw Failure(description: "cannot open \(logFile.path)")
        }
        handle.seekToEndOfFile()
        return handle
    }

    /// PostgreSQL's binaries: `/usr/lib/postgresql/<newest>/bin` (Debian keeps them off PATH),
    /// else the directory of `initdb` on PATH; nil when PostgreSQL is not installed.
    public static func findBinaries() -> URL? {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let bin = URL(fileURLWithPath: "\(root)/\(version)/bin")
            if FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("postgres").path) { return bin }
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)) }.first {
            FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("initdb").path)
        }
    }
}
