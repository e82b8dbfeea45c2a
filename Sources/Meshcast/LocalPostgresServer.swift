import Foundation
import Glibc
import MeshCatalog
import MeshCluster

/// A PostgreSQL cluster that `meshcast up` runs for a mesh with a recorder when no catalog URL
/// is given: `initdb` into its own temporary directory, loopback only, a free port at or above
/// 5432. It starts with no signal blocked and under a ``ParentLifeline`` watcher, so it stops
/// even when `up` is killed with SIGKILL. The process itself is MeshCatalog's
/// `PostgresServerProcess`, which the tests' PostgreSQL servers share (it also explains why it
/// runs as the `postgres` user when `up` runs as root); this type adds the port search, the
/// lifeline and the operator's messages.
final class LocalPostgresServer {
    /// Why the server could not start.
    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    private let directory: URL
    private var server: PostgresServerProcess?

    /// The server's process id.
    var pid: pid_t { server?.pid ?? 0 }
    /// The URL the nodes get.
    var url: String { server?.url ?? "" }
    /// The port it listens on.
    var port: Int { server?.port ?? 0 }

    /// Finds PostgreSQL, initialises a cluster, starts it under `lifeline` and waits until it
    /// accepts connections. A port taken between the check and the bind moves it to the next.
    init(lifeline: ParentLifeline) throws(StartFailure) {
        guard let binaries = PostgresServerProcess.findBinaries() else {
            throw StartFailure(
                description: "PostgreSQL is not installed and no catalog URL is set: install it "
                    + "(Debian/Ubuntu: apt-get install postgresql) or point the catalog URL variable at a running PostgreSQL"
            )
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshcast-up-postgres-\(getpid())")
        do {
            try? FileManager.default.removeItem(at: directory)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StartFailure(description: "cannot create \(directory.path): \(error.localizedDescription)")
        }
        var candidates = (5432..<5532).makeIterator()
        var initialised: PostgresServerProcess?
        for _ in 0..<5 {
            guard let port = LoopbackPort.nextFree(&candidates) else { break }
            // One cluster, tried on successive ports: the port is a start option, not in the data.
            let server = PostgresServerProcess(binaries: binaries, port: port, directory: directory)
            do {
                if initialised == nil { try server.initialize() }
                initialised = server
                try server.start { process in
                    try process.runWithDefaultSignalMask()
                    try lifeline.watch(process.processIdentifier)
                }
            } catch {
                stop()
                throw StartFailure(description: "\(error)")
            }
            self.server = server
            if server.waitUntilAccepting(attempts: 300, interval: .milliseconds(50)) { return }
            lifeline.unwatch(server.pid)
            server.stop()
        }
        stop()
        throw StartFailure(
            description:
                "postgres did not start on a free port between 5432 and 5531; see \(directory.path)/postgres.log")
    }

    /// Stops the server (fast shutdown, SIGKILL if it lingers) and removes its cluster.
    func stop() {
        server?.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
