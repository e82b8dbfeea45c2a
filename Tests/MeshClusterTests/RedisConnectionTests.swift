import MeshCluster
import MeshTestSupport
import Testing

/// `RedisConnection` against a real redis-server: every RESP reply kind (RESP2 spec,
/// https://redis.io/docs/reference/protocol-spec/), binary safety, errors.
@Suite("Redis connection")
struct RedisConnectionTests {
    @Test("status, bulk, integer, nil and array replies")
    func replyKinds() throws {
        let server = try RedisTestServer()
        defer { server.stop() }  // also keeps the server alive until the test ends
        let connection = try RedisConnection(endpoint: server.endpoint)
        #expect(try connection.command(["SET", "greeting", "hello"]) == .status("OK"))
        #expect(try connection.command(["GET", "greeting"]) == .bulk(Array("hello".utf8)))
        #expect(try connection.command(["INCRBY", "counter", "41"]) == .integer(41))
        #expect(try connection.command(["INCR", "counter"]) == .integer(42))
        #expect(try connection.command(["GET", "missing"]) == .null)
        _ = try connection.command(["RPUSH", "list", "a", "b"])
        #expect(try connection.command(["LRANGE", "list", "0", "-1"]) == .array([.bulk([0x61]), .bulk([0x62])]))
        #expect(try connection.command(["LRANGE", "nothing", "0", "-1"]) == .array([]))
        // A nested array: EXEC returns one reply per queued command.
        _ = try connection.command(["MULTI"])
        _ = try connection.command(["INCR", "counter"])
        _ = try connection.command(["GET", "missing"])
        #expect(try connection.command(["EXEC"]) == .array([.integer(43), .null]))
    }

    @Test("values are binary-safe: NUL, 0xFF and CRLF survive a round trip")
    func binarySafe() throws {
        let server = try RedisTestServer()
        defer { server.stop() }  // also keeps the server alive until the test ends
        let connection = try RedisConnection(endpoint: server.endpoint)
        let value: [UInt8] = [0x00, 0xFF, 0x0D, 0x0A, 0x24, 0x2A, 0x00, 0x80]  // NUL, 0xFF, "\r\n", "$", "*"
        let key: [UInt8] = [0x6B, 0x00, 0x0D, 0x0A]  // "k\0\r\n": keys are binary too
        #expect(try connection.command(bytes: [Array("SET".utf8), key, value]) == .status("OK"))
        #expect(try connection.command(bytes: [Array("GET".utf8), key]) == .bulk(value))
        #expect(try connection.command(bytes: [Array("STRLEN".utf8), key]) == .integer(Int64(value.count)))
        // A format-string client would choke on "%s"; argv sends it as plain bytes.
        _ = try connection.command(["SET", "percent", "%s %n %b"])
        #expect(try connection.command(["GET", "percent"]).string == "%s %n %b")
    }

    @Test("a server error reply is thrown with Redis's own text")
    func serverErrorText() throws {
        let server = try RedisTestServer()
        defer { server.stop() }  // also keeps the server alive until the test ends
        let connection = try RedisConnection(endpoint: server.endpoint)
        _ = try connection.command(["SET", "text", "abc"])
        #expect(throws: RedisError.server("ERR value is not an integer or out of range")) {
            try connection.command(["INCR", "text"])
        }
        let unknown = #expect(throws: RedisError.self) { try connection.command(["NOSUCHCOMMAND", "x"]) }
        guard case .server(let text) = unknown else {
            Issue.record("expected a server error, got \(String(describing: unknown))")
            return
        }
        #expect(text.hasPrefix("ERR unknown command"))
        // The connection is still usable after an error reply.
        #expect(try connection.command(["PING"]) == .status("PONG"))
    }

    @Test("pipelined commands come back in order, errors in place")
    func pipeline() throws {
        let server = try RedisTestServer()
        defer { server.stop() }  // also keeps the server alive until the test ends
        let connection = try RedisConnection(endpoint: server.endpoint)
        let replies = try connection.pipeline([["SET", "a", "1"], ["INCR", "a"], ["HGET", "a", "f"], ["GET", "a"]])
        #expect(replies.count == 4)
        #expect(replies[0] == .status("OK"))
        #expect(replies[1] == .integer(2))
        guard case .error(let text) = replies[2] else {
            Issue.record("HGET on a string should be an error reply, got \(replies[2])")
            return
        }
        #expect(text.hasPrefix("WRONGTYPE"))
        #expect(replies[3] == .bulk(Array("2".utf8)))
    }

    @Test("connecting to a closed port is a connection error; a closed connection says so")
    func connectionErrors() throws {
        let server = try RedisTestServer()
        defer { server.stop() }  // also keeps the server alive until the test ends
        let endpoint = server.endpoint
        let connection = try RedisConnection(endpoint: endpoint)
        server.stop()
        let failure = #expect(throws: RedisError.self) { try RedisConnection(endpoint: endpoint) }
        #expect(failure?.isConnectionFailure == true)
        if case .connection = failure {
        } else {
            Issue.record("expected .connection, got \(String(describing: failure))")
        }
        // The old connection notices on its next command, then stays closed.
        #expect(throws: RedisError.self) { try connection.command(["PING"]) }
        #expect(!connection.isOpen)
        #expect(throws: RedisError.closed("connection to \(endpoint) is closed")) { try connection.command(["PING"]) }
    }

    @Test("a reply slower than the I/O timeout is a timeout error")
    func readTimeout() throws {
        let server = try RedisTestServer()
        defer { server.stop() }  // also keeps the server alive until the test ends
        let connection = try RedisConnection(endpoint: server.endpoint, ioTimeout: .milliseconds(100))
        // BLPOP on an empty list holds the reply back for 2 s.
        let failure = #expect(throws: RedisError.self) { try connection.command(["BLPOP", "empty", "2"]) }
        if case .timeout = failure {} else { Issue.record("expected .timeout, got \(String(describing: failure))") }
    }
}
