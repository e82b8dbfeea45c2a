import Foundation
import Glibc
import MeshCluster
import MeshTestSupport
import Testing

/// `meshcast node` in a mesh stops in its declared order on SIGTERM and on SIGINT: it drains
/// (here at once: it holds nothing), leaves the registry, then ends the sessions, then stops the
/// workers, and exits 0.
@Suite(.serialized) struct NodeShutdownTests {
    /// Where each test writes its topology; removed at the end.
    private let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "meshcast-node-test-\(UUID())")

    init() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// One origin, `origin-s`, on ports free now.
    private func topology() throws -> String {
        let media = try FreePort.udpRangeStart()
        let lines = [
            "mesh: shutdowntest",
            "regions: [{name: local}]",
            "secrets: {cluster: SDTEST_CLUSTER_SECRET, token: SDTEST_TOKEN_SECRET, redis: SDTEST_REDIS_URL}",
            "nodes:",
            "  - id: origin-s", "    role: origin", "    region: local",
            "    api: 127.0.0.1:\(try FreePort.tcp())",
            "    media: 127.0.0.1", "    announce: 127.0.0.1", "    ports: \(media)-\(media + 9)", "    workers: 1",
        ]
        let file = directory.appendingPathComponent("node.yaml")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func aStopSignalLeavesTheMeshThenEndsSessionsThenStopsTheWorkers(signal: Int32) throws {
        let redis = try RedisTestServer()
        let file = try topology()
        defer { try? FileManager.default.removeItem(at: directory) }
        let node = try UpRun(
            ["--topology", file, "--id", "origin-s"], command: ["node"],
            environment: [
                "SDTEST_TOKEN_SECRET": "a-token-secret-long-enough-for-tests", "SDTEST_REDIS_URL": redis.url,
                "SDTEST_CLUSTER_SECRET": "a-cluster-secret-long-enough-for-tests",
            ])
        defer { node.kill() }
        try node.waitFor("serving http://", seconds: 60)
        // Registered by its heartbeat (bounded wait, not a timing assertion).
        var registered = false
        for _ in 0..<100 {
            registered = try redis.command(["SISMEMBER", "nodes", "origin-s"]) == .integer(1)
            if registered { break }
            usleep(100_000)
        }
        #expect(registered)

        kill(node.pid, signal)
        #expect(node.exitStatus(within: 30) == 0, "stderr: \(node.standardError)")
        let log = node.standardError
        // It drains first (issue 15); holding no session, it stops at once, not at the deadline.
        let steps = [
            "draining: not ready", "drained: no session or fed link is left", "shutting down: leaving the mesh",
            "shutting down: ending sessions", "shutting down: stopping the workers",
        ]
        let positions = steps.map { log.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil }, "stderr: \(log)")
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "stderr: \(log)")
        // Withdrawn, not expired: an expired entry stays in the `nodes` set until a listing prunes it.
        #expect(try redis.command(["SISMEMBER", "nodes", "origin-s"]) == .integer(0))
    }
}
