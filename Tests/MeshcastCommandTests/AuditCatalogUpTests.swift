import Foundation
import Glibc
import MeshCatalog
import MeshCluster
import MeshTestSupport
import Testing

/// A node of a mesh with a catalog copies the audit stream into `security_audit_log` (issue 15,
/// item 5): `meshcast up` runs an origin with the test's Redis and PostgreSQL, `meshcast token
/// revoke` writes an audit record to the stream, the row appears in the catalog, and
/// `meshcast audit --catalog` prints it.
@Suite(.serialized) struct AuditCatalogUpTests {
    @Test func aNodeWithACatalogCopiesTheAuditStream() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshcast-audit-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let redis = try RedisTestServer()
        defer { redis.stop() }
        let postgres = try PostgresTestServer()
        let media = try FreePort.udpRangeStart()
        let lines = [
            "mesh: audittest",
            "regions: [{name: local}]",
            "secrets: {cluster: AUDITTEST_CLUSTER, token: AUDITTEST_TOKEN, redis: AUDITTEST_REDIS, "
                + "postgres: AUDITTEST_POSTGRES}",
            "nodes:",
            "  - id: origin-t", "    role: origin", "    region: local", "    api: 127.0.0.1:\(try FreePort.tcp())",
            "    media: 127.0.0.1", "    announce: 127.0.0.1", "    ports: \(media)-\(media + 9)", "    workers: 1",
        ]
        let file = directory.appendingPathComponent("audit.yaml")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let environment: [String: String?] = [
            "AUDITTEST_CLUSTER": "a cluster secret of 32 bytes ok!",
            "AUDITTEST_TOKEN": "a token secret of 32 bytes ok!!",
            "AUDITTEST_REDIS": redis.url, "AUDITTEST_POSTGRES": postgres.url, "USER": "audit-tester",
        ]
        let up = try UpRun([file.path], environment: environment)
        defer {
            kill(up.pid, SIGTERM)
            _ = up.exitStatus(within: 40)
            up.kill()
        }
        try up.waitFor("Press Ctrl-C to stop.", seconds: 120)

        let revoke = try MeshcastBinary.run(
            ["token", "revoke", "copied-jti", "--topology", file.path], environment: environment)
        #expect(revoke.status == 0, "\(revoke.standardError)")
        // The copier polls every 500 ms; allow it a few passes on a loaded machine.
        var actors: [String] = []
        for _ in 0..<100 {
            let rows = try? postgres.query(
                "SELECT actor FROM security_audit_log WHERE action = 'token.revoke' AND target = 'token/copied-jti'")
            actors = try rows?.rows.map { try $0.string("actor") } ?? []
            if !actors.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(actors == ["cli:audit-tester"])
        // `meshcast audit --catalog` reads the table back.
        let printed = try MeshcastBinary.run(
            ["audit", "--catalog", "--json", "--actor", "cli:audit-tester", "--topology", file.path],
            environment: environment)
        #expect(printed.status == 0, "\(printed.standardError)")
        #expect(printed.standardOutput.contains(#""target":"token/copied-jti""#))
        #expect(printed.standardOutput.split(separator: "\n").count == 1)
    }
}
