import Dispatch
import MeshCatalog
import MeshTestSupport
import Synchronization
import Testing

/// The catalog's migrations: applied once, in one transaction, under an advisory lock
/// (PostgreSQL docs §9.27.10, `pg_advisory_xact_lock`), so concurrent recorders do not race.
@Suite("Catalog migrations")
struct CatalogMigratorTests {
    @Test("the first run applies every version, the second nothing")
    func idempotent() throws {
        let server = try PostgresTestServer()
        let connection = try PostgresConnection(url: server.url)
        let all = CatalogMigration.all.map(\.version)
        #expect(all == Array(1...all.count))
        #expect(try CatalogMigrator.migrate(connection) == all)
        #expect(try CatalogMigrator.migrate(connection) == [])
        let versions = try connection.query("SELECT version FROM schema_migrations ORDER BY version").rows
        #expect(try versions.map { Int(try $0.int("version")) } == all)
        for table in ["recordings", "tracks", "segments", "gaps", "jobs", "security_audit_log"] {
            #expect(
                try connection.query("SELECT to_regclass($1) IS NOT NULL AS ok", [table]).rows.first?.bool("ok") == true
            )
        }
    }

    @Test("two migrators starting at once: one applies, the other waits and finds it done")
    func concurrent() throws {
        let server = try PostgresTestServer()
        let url = server.url
        let results = Mutex<[Result<[Int], PostgresError>]>([])
        // Two threads, two connections: without the advisory lock both would CREATE TABLE and
        // one would fail with duplicate_table (42P07) or unique_violation on pg_type (23505).
        for _ in 0..<3 {
            results.withLock { $0 = [] }
            try server.query(
                "DROP TABLE IF EXISTS schema_migrations, security_audit_log, jobs, gaps, segments, tracks, recordings")
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                let result = Result { () throws(PostgresError) -> [Int] in
                    try CatalogMigrator.migrate(try PostgresConnection(url: url))
                }
                results.withLock { $0.append(result) }
            }
            let applied = try results.withLock { try $0.map { try $0.get() } }
            #expect(applied.sorted { $0.count < $1.count } == [[], CatalogMigration.all.map(\.version)])
        }
    }

    @Test("a failing migration rolls back the whole run and reports its SQLSTATE")
    func failingMigration() throws {
        let server = try PostgresTestServer()
        let connection = try PostgresConnection(url: server.url)
        let broken =
            CatalogMigration.all + [
                CatalogMigration(version: 99, name: "broken", statements: ["CREATE TABLE extra (id int)", "NOT SQL"])
            ]
        do {
            try CatalogMigrator.migrate(connection, migrations: broken)
            Issue.record("a broken migration applied")
        } catch {
            #expect(error.sqlState == "42601")
        }
        // Nothing of the run stayed, not even versions 1 and 2.
        #expect(
            try connection.query("SELECT to_regclass('recordings') IS NULL AS gone").rows.first?.bool("gone") == true)
        #expect(try CatalogMigrator.migrate(connection) == CatalogMigration.all.map(\.version))
    }
}
