import Foundation
import Glibc
import MeshCatalog
import MeshTestSupport
import Testing

/// `meshcast up` as an operator runs it: SIGTERM stops its nodes and its redis-server, so does
/// SIGKILL (through its lifeline watchers), and a node that dies stops the others unless
/// `--keep-going`. Each test runs a real redis-server and real nodes, one test at a time.
@Suite(.serialized) struct UpCommandTests {
    /// Where each test writes its topology; removed at the end.
    private let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshcast-up-test-\(UUID())")

    init() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// A topology of an origin and, with `edge`, an edge fed by it (with `recorder`, a recorder),
    /// on ports free now, with secret variables nobody sets.
    private func topology(edge: Bool, recorder: Bool = false) throws -> String {
        var lines = [
            "mesh: uptest",
            "regions: [{name: local}]",
            "secrets: {cluster: UPTEST_CLUSTER_SECRET, token: UPTEST_TOKEN_SECRET, redis: UPTEST_REDIS_URL, "
                + "postgres: UPTEST_POSTGRES_URL}",
            "nodes:",
        ]
        let roles =
            [("origin-t", "origin")] + (edge ? [("edge-t", "edge")] : []) + (recorder ? [("rec-t", "recorder")] : [])
        for (id, role) in roles {
            let media = try FreePort.udpRangeStart()
            lines += [
                "  - id: \(id)", "    role: \(role)", "    region: local",
                "    api: 127.0.0.1:\(try FreePort.tcp())",
                "    media: 127.0.0.1", "    announce: 127.0.0.1", "    ports: \(media)-\(media + 9)", "    workers: 1",
            ]
            if role == "recorder" { lines.append("    storage: {path: \(directory.path)/recordings}") }
        }
        if edge { lines += ["links:", "  - {from: origin-t, to: [edge-t]}"] }
        let file = directory.appendingPathComponent("up.yaml")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// `up` has printed its URLs; returns the pids it printed for redis-server and the nodes.
    private static func ready(_ up: UpRun, nodes: [String]) throws -> (redis: pid_t, nodes: [String: pid_t]) {
        try up.waitFor("Press Ctrl-C to stop.", seconds: 120)
        let redis = try #require(up.number(after: "started redis-server (pid "))
        var pids: [String: pid_t] = [:]
        for node in nodes {
            let pid = try #require(up.number(after: "started \(node) (pid "))
            pids[node] = pid
        }
        return (redis, pids)
    }

    @Test func sigtermOfUpStopsItsNodesAndItsRedisServer() throws {
        let up = try UpRun([try topology(edge: false)])
        defer { finish(up) }
        let (redis, nodes) = try Self.ready(up, nodes: ["origin-t"])
        defer { ProcessState.killIfAlive(redis) }
        // The cause of the old leak: redis-server inherited a mask that blocked SIGTERM.
        #expect(ProcessState.blocks(redis, SIGTERM) == false)
        // The operators' page, with an operator token (issue 16).
        #expect(up.standardOutput.contains("Dashboard: http://127.0.0.1:"))
        #expect(up.standardOutput.contains("/dashboard?token=ey"))

        kill(up.pid, SIGTERM)
        #expect(up.exitStatus(within: 40) == 0, "stderr: \(up.standardError)")
        #expect(ProcessState.isGone(redis, within: 5), "redis-server \(redis) of this run is still running")
        #expect(ProcessState.isGone(nodes["origin-t"] ?? 0, within: 5))
        #expect(up.standardOutput.contains("origin-t stopped"))
    }

    @Test func sigkillOfUpStillStopsItsRedisServerAndNodes() throws {
        let up = try UpRun([try topology(edge: false)])
        defer { finish(up) }
        let (redis, nodes) = try Self.ready(up, nodes: ["origin-t"])
        defer {
            ProcessState.killIfAlive(redis)
            ProcessState.killIfAlive(nodes["origin-t"])
            // A killed `up` cannot remove its redis-server's directory.
            let redisDirectory = "meshcast-up-redis-\(up.pid)"
            try? FileManager.default.removeItem(
                at: FileManager.default.temporaryDirectory.appending(path: redisDirectory))
        }

        kill(up.pid, SIGKILL)
        #expect(ProcessState.isGone(redis, within: 20), "redis-server \(redis) outlived a killed meshcast up")
        #expect(ProcessState.isGone(nodes["origin-t"] ?? 0, within: 20), "origin-t outlived a killed meshcast up")
    }

    @Test func withoutKeepGoingOneDeadNodeStopsTheOthers() throws {
        let up = try UpRun([try topology(edge: true)])
        defer { finish(up) }
        let (redis, nodes) = try Self.ready(up, nodes: ["origin-t", "edge-t"])
        defer { ProcessState.killIfAlive(redis) }
        let edge = try #require(nodes["edge-t"])

        kill(edge, SIGKILL)
        let status = up.exitStatus(within: 40)
        #expect(status != nil && status != 0, "meshcast up did not exit non-zero")
        #expect(up.standardError.contains("edge-t (pid \(edge)) was killed by signal 9; stopping the others"))
        #expect(ProcessState.isGone(nodes["origin-t"] ?? 0, within: 5))
        #expect(ProcessState.isGone(redis, within: 5))
    }

    @Test func withKeepGoingTheOtherNodesOutliveOneThatDies() throws {
        let file = try topology(edge: true)
        let up = try UpRun(["--keep-going", file])
        defer { finish(up) }
        let (redis, nodes) = try Self.ready(up, nodes: ["origin-t", "edge-t"])
        defer { ProcessState.killIfAlive(redis) }
        let edge = try #require(nodes["edge-t"])
        let originAPI = try #require(Self.apiPort(of: "origin-t", in: file))

        kill(edge, SIGKILL)
        try up.waitFor("edge-t (pid \(edge)) was killed by signal 9; --keep-going: 1 node(s) keep running", seconds: 10)
        // Still serving a few supervisor rounds later.
        usleep(1_000_000)
        #expect(up.exitStatus(within: 0) == nil, "meshcast up stopped despite --keep-going")
        #expect(Self.healthStatus(port: originAPI) == 200)

        kill(up.pid, SIGTERM)
        // A node died during the run, so the run as a whole still ends non-zero.
        #expect(up.exitStatus(within: 40) == 1)
        #expect(ProcessState.isGone(redis, within: 5))
    }

    @Test func aRecorderGetsALocalPostgresThatStopsWithTheRun() throws {
        let up = try UpRun([try topology(edge: false, recorder: true)])
        defer { finish(up) }
        let (redis, _) = try Self.ready(up, nodes: ["origin-t"])
        let postgres = try #require(up.number(after: "started postgres (pid "))
        defer {
            ProcessState.killIfAlive(redis)
            ProcessState.killIfAlive(postgres)
        }
        #expect(up.standardOutput.contains("UPTEST_POSTGRES_URL is not set: started postgres"))
        let printed = up.standardOutput.split(separator: "\n").first { $0.contains("started postgres") } ?? ""
        let url = String(printed.split(separator: " ").first { $0.hasPrefix("postgresql://") } ?? "")
        #expect(PostgresConnection.ping(url: url), "nothing accepts connections at \(url)")
        #expect(ProcessState.blocks(postgres, SIGTERM) == false)

        kill(up.pid, SIGTERM)
        #expect(up.exitStatus(within: 40) == 0, "stderr: \(up.standardError)")
        #expect(ProcessState.isGone(postgres, within: 15), "postgres \(postgres) of this run is still running")
        #expect(up.standardOutput.contains("stopped"))
        #expect(!PostgresConnection.ping(url: url))
    }

    @Test func withoutARecorderNoPostgresStarts() throws {
        let up = try UpRun([try topology(edge: false)])
        defer { finish(up) }
        let (redis, _) = try Self.ready(up, nodes: ["origin-t"])
        defer { ProcessState.killIfAlive(redis) }
        #expect(!up.standardOutput.contains("started postgres"))
        kill(up.pid, SIGTERM)
        #expect(up.exitStatus(within: 40) == 0, "stderr: \(up.standardError)")
    }

    // MARK: helpers

    /// Kills what a failed test left running and removes the topology.
    private func finish(_ up: UpRun) {
        up.kill()
        try? FileManager.default.removeItem(at: directory)
    }

    private static func apiPort(of node: String, in file: String) -> Int? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n")
        guard let at = lines.firstIndex(where: { $0.hasSuffix("id: \(node)") }) else { return nil }
        let api = lines[at...].first { $0.contains("api: 127.0.0.1:") }
        return api.flatMap { Int($0.split(separator: ":").last ?? "") }
    }

    /// The status of `GET /health` on loopback, or nil if nothing answered.
    private static func healthStatus(port: Int) -> Int? {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return nil }
        defer { close(socket) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = Self.loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }
        let request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        guard request.withCString({ send(socket, $0, strlen($0), Int32(MSG_NOSIGNAL)) }) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = recv(socket, &buffer, buffer.count, 0)
        guard count >= 12 else { return nil }
        return Int(String(decoding: buffer[9..<12], as: UTF8.self))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }
}
