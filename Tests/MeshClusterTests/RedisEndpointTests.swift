import MeshCluster
import MeshTestSupport
import Testing

/// Redis URL forms: `redis://host[:port][/db]` (IANA "redis" scheme) and `unix:///path`.
@Suite("Redis endpoint URLs")
struct RedisEndpointTests {
    @Test("well-formed URLs")
    func wellFormed() throws {
        #expect(try RedisEndpoint(url: "redis://127.0.0.1:6380").address == .tcp(host: "127.0.0.1", port: 6380))
        #expect(try RedisEndpoint(url: "redis://cache").address == .tcp(host: "cache", port: 6379))
        #expect(try RedisEndpoint(url: "redis://cache:7000/3").database == 3)
        #expect(try RedisEndpoint(url: "redis://[::1]:7000").address == .tcp(host: "::1", port: 7000))
        #expect(try RedisEndpoint(url: "unix:///run/redis.sock").address == .unix(path: "/run/redis.sock"))
        #expect(try RedisEndpoint(url: "redis://cache:7000/3").description == "redis://cache:7000/3")
    }

    @Test(
        "malformed URLs are rejected with a reason",
        arguments: [
            "http://cache:6379", "redis://", "redis://:6379", "redis://cache:0", "redis://cache:65536",
            "redis://cache:port", "redis://cache:6379/x", "redis://user:pw@cache", "redis://::1:6379",
            "redis://[::1", "unix://", "unix://relative.sock", "",
        ])
    func malformed(url: String) {
        let failure = #expect(throws: RedisError.self) { try RedisEndpoint(url: url) }
        if case .invalidURL = failure {} else { Issue.record("expected .invalidURL for '\(url)'") }
    }

    @Test("the password comes from MESHCAST_REDIS_PASSWORD, never the URL")
    func passwordFromEnvironment() throws {
        let withPassword = try RedisEndpoint(url: "redis://cache", environment: ["MESHCAST_REDIS_PASSWORD": "s3cret"])
        #expect(withPassword.password == "s3cret")
        #expect(!withPassword.description.contains("s3cret"))
        #expect(try RedisEndpoint(url: "redis://cache", environment: [:]).password == nil)
    }

    @Test("AUTH is sent when a password is set, and SELECT picks the database")
    func authAndSelect() throws {
        let server = try RedisTestServer()
        defer { server.stop() }  // also keeps the server alive until the test ends
        let admin = try RedisConnection(endpoint: server.endpoint)
        _ = try admin.command(["CONFIG", "SET", "requirepass", "s3cret"])
        let denied = #expect(throws: RedisError.self) {
            try RedisConnection(endpoint: server.endpoint).command(["PING"])
        }
        guard case .server(let text) = denied else {
            Issue.record("expected NOAUTH, got \(String(describing: denied))")
            return
        }
        #expect(text.hasPrefix("NOAUTH"))
        let endpoint = try RedisEndpoint(url: "\(server.url)/2", password: "s3cret")
        let connection = try RedisConnection(endpoint: endpoint)
        _ = try connection.command(["SET", "where", "db2"])
        _ = try admin.command(["AUTH", "s3cret"])
        _ = try admin.command(["SELECT", "2"])
        #expect(try admin.command(["GET", "where"]).string == "db2")
    }
}
