import Foundation
import Glibc
import MeshCluster
import MeshControl

/// The Meshcast nodes a run measures, started by meshbench from a topology with
/// `meshcast up` (which brings a local Redis, and PostgreSQL for a recorder, when no URL is
/// configured, applies the topology and starts every node as a separate process), or an already running mesh
/// reached by URL. Knows each local node's pid for CPU/RSS sampling and faults.
final class MeshUnderTest: @unchecked Sendable {
    /// A node meshbench can reach.
    struct Node: Sendable {
        let id: String
        let role: String
        /// `http://HOST:PORT`.
        let base: String
        /// Set when the node runs on this machine under meshbench.
        var pid: Int32?
        /// A recorder's storage directory as the topology gives it (a relative one is relative
        /// to meshbench's working directory, which `meshcast up` and its nodes inherit).
        var storage: String? = nil
    }

    private(set) var nodes: [Node]
    /// The token secret the nodes check (`MESHCAST_SECRET`).
    let secret: String
    /// The cluster secret the internal API checks (`MESHCAST_CLUSTER_SECRET`), when meshbench
    /// started the mesh: it signs the test-fault requests.
    private(set) var clusterSecret: String?
    private let supervisor: Process?
    private let meshcast: String

    /// Starts `topology`'s nodes with `meshcast up` and waits until each answers `/ready`.
    init(topology path: String, meshcast: String, readyTimeout: Double = 60) throws {
        let topology = try TopologyLoader.load(path: path)
        self.meshcast = meshcast
        secret = Self.randomHex(bytes: 32)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: meshcast)
        // A `kill` fault must not take the rest of the mesh down with the node it kills.
        process.arguments = ["up", "--keep-going", path]
        var environment = ProcessInfo.processInfo.environment
        environment["MESHCAST_SECRET"] = secret
        let clusterSecret = environment["MESHCAST_CLUSTER_SECRET"] ?? Self.randomHex(bytes: 32)
        environment["MESHCAST_CLUSTER_SECRET"] = clusterSecret
        // Faults such as drop_link go through the nodes' signed internal API.
        environment["MESHCAST_TEST_FAULTS"] = "1"
        process.environment = environment
        self.clusterSecret = clusterSecret
        // The mesh's own logs go to a file next to the report, not over the progress line.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("meshbench-mesh-\(getpid()).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        supervisor = process
        nodes = topology.nodes.map {
            Node(id: $0.id, role: $0.role.rawValue, base: "http://\($0.api)", pid: nil, storage: $0.storage?.path)
        }
        let deadline = Date().addingTimeInterval(readyTimeout)
        while !allReady() {
            guard process.isRunning else {
                throw MeshUnderTestError("meshcast up exited (status \(process.terminationStatus)); see \(log.path)")
            }
            guard Date() < deadline else {
                stop()
                throw MeshUnderTestError("the mesh was not ready within \(Int(readyTimeout)) s; see \(log.path)")
            }
            usleep(200_000)
        }
        let children = ProcessProbe.children(of: process.processIdentifier)
        for index in nodes.indices {
            nodes[index].pid =
                children.first { child in
                    zip(child.arguments, child.arguments.dropFirst()).contains { $0 == "--id" && $1 == nodes[index].id }
                }?.pid
        }
    }

    /// A mesh that runs elsewhere: one entry node at `url`, tokens minted with `secret`.
    init(url: String, secret: String, meshcast: String) {
        nodes = [Node(id: "target", role: "unknown", base: url.hasSuffix("/") ? String(url.dropLast()) : url)]
        self.secret = secret
        self.meshcast = meshcast
        supervisor = nil
    }

    /// The node `id`, if known.
    func node(_ id: String) -> Node? { nodes.first { $0.id == id } }

    /// A token for every stream (`meshcast token --stream '*'`), to publish or to view.
    func token(publish: Bool) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: meshcast)
        process.arguments = ["token", "--stream", "*", publish ? "--publish" : "--view", "--ttl", "86400"]
        var environment = ProcessInfo.processInfo.environment
        environment["MESHCAST_SECRET"] = secret
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, !token.isEmpty else {
            throw MeshUnderTestError("meshcast token failed (status \(process.terminationStatus))")
        }
        return token
    }

    /// Sends `signal` to node `id`'s process (a fault); false when meshbench does not own it.
    @discardableResult
    func signal(_ signal: Int32, node id: String) -> Bool {
        guard let pid = node(id)?.pid else { return false }
        return kill(pid, signal) == 0
    }

    /// Asks node `from` to drop `rate` of its first transmissions to node `to` (the
    /// `drop_link` fault), over the internal API signed with the cluster secret.
    func dropLink(from: String, to: String, rate: Double) -> String {
        guard let clusterSecret, let node = node(from) else { return "drop_link needs a mesh meshbench started" }
        let path = "/internal/v1/test/link-drop"
        guard let url = HTTPURL(node.base + path),
            let body = try? JSONEncoder().encode(InternalRoutesLinkDrop(to: to, rate: rate)),
            let signature = try? InternalRequestSignature(secret: Array(clusterSecret.utf8)).headerValue(
                method: "POST", target: url.target, body: Array(body), now: Int64(Date().timeIntervalSince1970))
        else { return "drop_link: cannot sign the request" }
        let response = try? HTTPClient.request(
            "POST", url,
            headers: [("Content-Type", "application/json"), (InternalRequestSignature.headerName, signature)],
            body: Array(body))
        guard let response else { return "drop_link: \(from) did not answer" }
        return response.status == 200
            ? "\(from): \(response.text)" : "drop_link refused by \(from): \(response.status) \(response.text)"
    }

    /// The pid of the local redis-server `meshcast up` started, if any.
    var redisPID: Int32? {
        guard let supervisor else { return nil }
        return ProcessProbe.children(of: supervisor.processIdentifier).first {
            $0.arguments.first?.hasSuffix("redis-server") == true
        }?.pid
    }

    /// Stops the mesh as Ctrl-C would, waiting up to 20 s.
    func stop() {
        guard let supervisor, supervisor.isRunning else { return }
        kill(supervisor.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(20)
        while supervisor.isRunning && Date() < deadline { usleep(100_000) }
        if supervisor.isRunning { kill(supervisor.processIdentifier, SIGKILL) }
    }

    private func allReady() -> Bool {
        nodes.allSatisfy { node in
            guard let url = HTTPURL(node.base + "/ready") else { return false }
            return (try? HTTPClient.request("GET", url))?.status == 200
        }
    }

    private static func randomHex(bytes: Int) -> String {
        (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}

/// Why the mesh under test could not be started or reached.
struct MeshUnderTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The body of the internal API's `POST /internal/v1/test/link-drop`.
private struct InternalRoutesLinkDrop: Encodable {
    let to: String
    let rate: Double
}
