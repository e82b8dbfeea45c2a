import Glibc
import MeshCatalog
import MeshTestSupport
import Testing

/// `PostgresConnection` against a real PostgreSQL: parameters travel apart from the SQL
/// (extended query protocol, PostgreSQL docs §55.2.3), and failures come back as
/// `PostgresError` with the SQLSTATE of PostgreSQL's Appendix A.
@Suite("PostgreSQL connection")
struct PostgresConnectionTests {
    @Test("parameters are values, never SQL: quotes, NULL and unicode round-trip")
    func parameters() throws {
        let server = try PostgresTestServer()
        let connection = try PostgresConnection(url: server.url)
        try connection.query("CREATE TABLE notes (id integer PRIMARY KEY, body text, score float8, ok boolean)")
        let hostile = "x'); DROP TABLE notes; --"
        try connection.query("INSERT INTO notes VALUES ($1, $2, $3, $4)", ["1", hostile, "2.5", "true"])
        try connection.query("INSERT INTO notes VALUES ($1, $2, $3, $4)", ["2", nil, nil, "false"])
        try connection.query("INSERT INTO notes VALUES ($1, $2, $3, $4)", ["3", "ünïcødé ✓", "-1e-3", "t"])
        let rows = try connection.query("SELECT id, body, score, ok FROM notes ORDER BY id").rows
        #expect(rows.count == 3)
        #expect(try rows[0].string("body") == hostile)
        #expect(try rows[0].double("score") == 2.5)
        #expect(try rows[0].bool("ok"))
        #expect(try rows[1].optionalString("body") == nil)
        #expect(try rows[1].optionalDouble("score") == nil)
        #expect(try !rows[1].bool("ok"))
        #expect(try rows[2].string("body") == "ünïcødé ✓")
        #expect(try rows[2].int("id") == 3)
        // A missing column or a NULL where a value is required is a decoding error, not a trap.
        #expect(throws: PostgresError.self) { try rows[1].string("body") }
        #expect(throws: PostgresError.self) { try rows[0].string("nope") }
        #expect(try connection.query("UPDATE notes SET score = 0 WHERE id < $1", ["3"]).affected == 2)
    }

    @Test("bad SQL and constraint violations carry their SQLSTATE; the connection stays usable")
    func serverErrors() throws {
        let server = try PostgresTestServer()
        let connection = try PostgresConnection(url: server.url)
        #expect(throws: PostgresError.self) { try connection.query("SELEC 1") }
        do {
            try connection.query("SELEC 1")
        } catch {
            #expect(error.sqlState == "42601")  // syntax_error
            #expect(!error.isConnectionFailure)
        }
        try connection.query("CREATE TABLE once (id integer PRIMARY KEY, n integer CHECK (n > 0))")
        try connection.query("INSERT INTO once VALUES (1, 1)")
        do {
            try connection.query("INSERT INTO once VALUES (1, 1)")
            Issue.record("a duplicate key was accepted")
        } catch {
            #expect(error.sqlState == "23505")  // unique_violation
        }
        do {
            try connection.query("INSERT INTO once VALUES (2, -1)")
            Issue.record("a failed CHECK was accepted")
        } catch {
            #expect(error.sqlState == "23514")  // check_violation
        }
        do {
            try connection.query("SELECT $1::integer", ["not a number"])
            Issue.record("a malformed integer was accepted")
        } catch {
            #expect(error.sqlState == "22P02")  // invalid_text_representation
        }
        #expect(try connection.query("SELECT count(*) AS n FROM once").rows.first?.int("n") == 1)
    }

    @Test("a transaction commits when its body returns and rolls back when it throws")
    func transactions() throws {
        let server = try PostgresTestServer()
        let connection = try PostgresConnection(url: server.url)
        try connection.query("CREATE TABLE items (id integer PRIMARY KEY)")
        try connection.transaction { connection throws(PostgresError) in
            try connection.query("INSERT INTO items VALUES (1)")
            try connection.query("INSERT INTO items VALUES (2)")
        }
        #expect(throws: PostgresError.self) {
            try connection.transaction { connection throws(PostgresError) in
                try connection.query("INSERT INTO items VALUES (3)")
                try connection.query("INSERT INTO items VALUES (1)")  // duplicate: the whole body rolls back
            }
        }
        let ids = try connection.query("SELECT id FROM items ORDER BY id").rows.map { try $0.int("id") }
        #expect(ids == [1, 2])
    }

    @Test("a refused connection and a stopped server are connection failures")
    func connectionFailures() throws {
        let server = try PostgresTestServer()
        let connection = try PostgresConnection(url: server.url)
        server.stop()
        do {
            try connection.query("SELECT 1")
            Issue.record("a query on a stopped server succeeded")
        } catch {
            #expect(error.isConnectionFailure)
        }
        #expect(!connection.isOpen)
        do {
            _ = try PostgresConnection(url: server.url)
            Issue.record("connected to a stopped server")
        } catch {
            #expect(error.isConnectionFailure)
        }
    }

    @Test("a server that stops answering fails the call with a timeout instead of hanging")
    func ioTimeout() throws {
        let server = try PostgresTestServer()
        let connection = try PostgresConnection(url: server.url, ioTimeout: .milliseconds(500))
        // SIGSTOP this connection's own backend: the socket stays open, nothing answers.
        let row = try connection.query("SELECT pg_backend_pid() AS pid").rows[0]
        let backend = Int32(truncatingIfNeeded: try row.int("pid"))
        kill(backend, SIGSTOP)
        defer { kill(backend, SIGCONT) }
        do {
            try connection.query("SELECT 1")
            Issue.record("a stopped backend answered")
        } catch {
            guard case .timeout = error else {
                Issue.record("expected a timeout, got \(error)")
                return
            }
            #expect(error.isConnectionFailure)
        }
        #expect(!connection.isOpen)
    }
}
