import Foundation
import Glibc
import MeshCatalog

/// A throw-away PostgreSQL cluster for one test: its own free loopback port and temp directory.
/// The process is MeshCatalog's `PostgresServerProcess`, the one `meshcast up` runs; this
/// wrapper picks the port, stops and restarts on the same data, and removes the directory.
public final class PostgresTestServer {
    /// The server did not come up.
    public struct StartFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The loopback port, the same across restarts.
    public let port: Int
    /// Where the cluster lives and logs; removed when the wrapper goes.
    public let directory: URL
    private let server: PostgresServerProcess

    /// Initialises a cluster and starts it on a free loopback port, waiting until it accepts
    /// connections.
    public init() throws {
        guard let binaries = PostgresServerProcess.findBinaries() else {
            throw StartFailure(description: "PostgreSQL is not installed (scripts/setup installs `postgresql`)")
        }
        port = try FreePort.tcp()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshcast-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        server = PostgresServerProcess(binaries: binaries, port: port, directory: directory)
        try server.initialize(copying: try Self.template.get())
        try start()
    }

    /// One `initdb` per test process (several seconds on a loaded 2-core machine); each server
    /// copies its data directory. Removed when the process exits.
    private static let template: Result<URL, PostgresServerProcess.Failure> = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "meshcast-pg-template-\(getpid())")
        let template = PostgresServerProcess(
            binaries: PostgresServerProcess.findBinaries() ?? URL(fileURLWithPath: "/usr/lib/postgresql/15/bin"),
            port: 0, directory: directory)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            return .failure(.init(description: "cannot create \(directory.path)"))
        }
        atexit {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("meshcast-pg-template-\(getpid())")
            try? FileManager.default.removeItem(at: path)
        }
        return Result { () throws(PostgresServerProcess.Failure) in
            try template.initialize()
            return template.dataDirectory
        }
    }()

    deinit {
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// `postgresql://meshcast@127.0.0.1:<port>/postgres`, as the catalog URL variable would hold it.
    public var url: String { server.url }

    /// (Re)starts the server on the same data and port and waits until it accepts connections.
    public func start() throws {
        try server.start()
        // Readiness, bounded; not a timing assertion.
        guard server.waitUntilAccepting(attempts: 400, interval: .milliseconds(25)) else {
            throw StartFailure(
                description: "postgres on port \(port) did not accept connections; see \(server.logFile.path)")
        }
    }

    /// The postmaster's process id (its backends are children with their own ids).
    public var pid: Int32 { server.pid }

    /// A fast shutdown (`pg_ctl stop -m fast`'s signal): connections drop, the data stays.
    public func stop() {
        server.stop()
    }

    /// Runs one statement on a fresh connection: for tests that look behind the catalog.
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws -> PostgresResult {
        try PostgresConnection(url: url).query(sql, parameters)
    }
}
