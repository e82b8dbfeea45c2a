import Foundation
import MeshCluster

/// A throw-away `redis-server` for one test: its own free loopback port and temp directory, no
/// persistence. The process is MeshCluster's `RedisServerProcess`, the one `meshcast up` runs;
/// this wrapper picks the port, restarts on it and kills like a crash.
public final class RedisTestServer {
    /// The server did not come up.
    public struct StartFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The loopback port, the same across restarts.
    public let port: Int
    /// Where the server runs and logs; removed when the wrapper goes.
    public let directory: URL
    private var server: RedisServerProcess?

    /// Starts a server on a free loopback port and waits until it answers PING.
    public init() throws {
        port = try FreePort.tcp()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshcast-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// `redis://127.0.0.1:<port>`, as a node's Redis URL variable would hold it.
    public var url: String { endpoint.description }
    /// The endpoint for a `RedisConnection` or `RedisClient`.
    public var endpoint: RedisEndpoint { RedisEndpoint(address: .tcp(host: "127.0.0.1", port: port)) }

    /// (Re)starts the server on the same port, empty.
    public func start() throws {
        let executable = RedisServerProcess.findExecutable() ?? "/usr/bin/redis-server"
        let server = RedisServerProcess(executable: executable, port: port, directory: directory)
        try server.start()
        self.server = server
        // Wait (bounded) for the listener; this is readiness, not a timing assertion.
        switch server.waitUntilAnswering(attempts: 200, interval: .milliseconds(25)) {
        case .answering: return
        case .exited: throw StartFailure(description: "redis-server on port \(port) exited before it answered")
        case .silent: throw StartFailure(description: "redis-server on port \(port) did not answer within 5 s")
        }
    }

    /// Kills the server (SIGKILL, as a crash would) and waits for it to exit.
    public func stop() {
        server?.kill()
        server = nil
    }

    /// Sends one command on a fresh connection: for tests that have no client of their own.
    public func command(_ arguments: [String]) throws -> RedisReply {
        try RedisConnection(endpoint: endpoint).command(arguments)
    }
}
