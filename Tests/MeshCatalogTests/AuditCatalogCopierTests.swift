import MeshCatalog
import MeshCluster
import MeshTestSupport
import Testing

/// The audit stream copied into `security_audit_log` (issue 15, item 5) with a real Redis and a
/// real PostgreSQL: every record once, field for field, in the stream's order, whether one
/// copier runs twice or two run at once, and what was appended while PostgreSQL was away is
/// copied once it is back.
@Suite("Audit log in the catalog", .serialized, .timeLimit(.minutes(2)))
struct AuditCatalogCopierTests {
    static func record(_ index: Int) -> AuditRecord {
        AuditRecord(
            time: 1_700_000_000_000 + Int64(index) * 1000, actor: index % 2 == 0 ? "alice" : "bob", keyID: "k1",
            action: "session.end", target: "session/s\(index)", client: "192.0.2.\(index):4000",
            requestID: "req-\(index)", result: "204 ended by an operator", node: "edge-a")
    }

    static func rows(_ server: PostgresTestServer) throws -> [[String]] {
        try server.query(
            """
            SELECT actor, kid, action, target, client, request_id, result, node,
                (extract(epoch FROM at) * 1000)::bigint AS ms
            FROM security_audit_log ORDER BY stream_ms, stream_seq
            """
        ).rows.map { row in
            try ["actor", "kid", "action", "target", "client", "request_id", "result", "node", "ms"].map {
                try row.string($0)
            }
        }
    }

    static func expected(_ records: [AuditRecord]) -> [[String]] {
        records.map {
            [$0.actor, $0.keyID, $0.action, $0.target, $0.client, $0.requestID, $0.result, $0.node, String($0.time)]
        }
    }

    @Test("records are copied once, in order, by one copier run twice or two at once")
    func copiesOnce() async throws {
        let redisServer = try RedisTestServer()
        defer { redisServer.stop() }
        let postgresServer = try PostgresTestServer()
        let redis = RedisClient(endpoint: redisServer.endpoint)
        await redis.waitUntil(available: true)
        let first = AuditCatalogCopier(redis: redis, postgres: RecordingCatalog.client(url: postgresServer.url))
        let second = AuditCatalogCopier(redis: redis, postgres: RecordingCatalog.client(url: postgresServer.url))
        let records = (0..<7).map(Self.record)
        for record in records { try await AuditLog.append(record, to: redis) }
        #expect(try await first.copyOnce(limit: 3) == 3)
        async let a = first.copyOnce()
        async let b = second.copyOnce()
        _ = try await (a, b)
        _ = try await first.copyOnce()
        #expect(try Self.rows(postgresServer) == Self.expected(records))
        #expect(try await first.copyOnce() == 0)
        await first.postgres.shutdown()
        await second.postgres.shutdown()
        await redis.shutdown()
    }

    @Test("what is appended while PostgreSQL is away is copied when it returns")
    func postgresOutage() async throws {
        let redisServer = try RedisTestServer()
        defer { redisServer.stop() }
        let postgresServer = try PostgresTestServer()
        let redis = RedisClient(endpoint: redisServer.endpoint)
        await redis.waitUntil(available: true)
        let copier = AuditCatalogCopier(redis: redis, postgres: RecordingCatalog.client(url: postgresServer.url))
        try await AuditLog.append(Self.record(0), to: redis)
        #expect(try await copier.copyOnce() == 1)
        postgresServer.stop()
        try await AuditLog.append(Self.record(1), to: redis)
        await #expect(throws: AuditCatalogCopier.Failure.self) { try await copier.copyOnce() }
        try postgresServer.start()
        await copier.postgres.waitUntil(available: true)
        #expect(try await copier.copyOnce() == 1)
        #expect(try Self.rows(postgresServer) == Self.expected([Self.record(0), Self.record(1)]))
        await copier.postgres.shutdown()
        await redis.shutdown()
    }
}
