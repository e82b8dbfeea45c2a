import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MeshCluster
import MeshControl
import MeshCrypto
import MeshTestSupport
import Testing

/// The operator API's mesh commands over a real Redis (issue 15, items 3 and 6): an HTTP drain
/// sets and clears the same mark as `meshcast node drain`, an HTTP topology apply publishes the
/// same canonical JSON as `meshcast topology apply`, and each call, refused or not, leaves an
/// audit row with the token's subject. (That view, publish and record tokens get 403 is in
/// ``OperatorRouteTests/refusesOtherRoles()``, which covers these endpoints too.)
@Suite("HTTP drain and topology apply", .timeLimit(.minutes(1)))
struct MeshOperatorRouteTests {
    static let topologyFile = RepositoryFiles.root.appendingPathComponent("topology/local.yaml")

    /// A server whose mesh commands and audit log use `client`, with the topology of `local.yaml`.
    static func withServer(
        _ client: RedisClient, _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let topology = try TopologyLoader.load(path: topologyFile.path)
        var configuration = ControlConfiguration(tokenSecret: ControlTest.secret)
        configuration.meshOperations = .redis(client, topology: { topology })
        configuration.auditLog = AuditLog(redis: client)
        let writer = Task { [log = configuration.auditLog] in await log.run() }
        defer { writer.cancel() }
        try await ControlTest.withServer(OperatorRouteTests.engine, configuration: configuration, body)
    }

    /// The audit rows written so far (the writer appends them a moment after the response).
    static func auditRows(_ client: RedisClient, count: Int) async throws -> [AuditRecord] {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let rows = try await AuditLog.read(from: client, since: nil, actor: nil, limit: 100)
            if rows.count >= count || ContinuousClock.now > deadline { return rows }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    static func call(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, token: String,
        body: String? = nil, contentType: String = "application/yaml"
    ) async throws -> (HTTPResponse.Status, String) {
        let headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: contentType]
        return try await client.execute(
            uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }
        ) { response in (response.status, ControlTest.text(response)) }
    }

    @Test("POST and DELETE /v1/nodes/{id}/drain set and clear the node's drain mark, audited")
    func drainOverHTTP() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let redis = RedisClient(endpoint: server.endpoint)
        await redis.waitUntil(available: true)
        let operatorToken = OperatorRouteTests.token(.operator)
        try await Self.withServer(redis) { client in
            let (status, body) = try await Self.call(client, .post, "/v1/nodes/edge-a/drain", token: operatorToken)
            #expect(status == .ok)
            #expect(body == #"{"node":"edge-a","draining":true,"running":false}"#)
            #expect(try await redis.command(["EXISTS", "node:{edge-a}:drain"]) == .integer(1))
            let (undone, undoneBody) = try await Self.call(
                client, .delete, "/v1/nodes/edge-a/drain", token: OperatorRouteTests.token(.admin))
            #expect(undone == .ok && undoneBody.contains(#""draining":false"#))
            #expect(try await redis.command(["EXISTS", "node:{edge-a}:drain"]) == .integer(0))
            let (unknown, unknownBody) = try await Self.call(
                client, .post, "/v1/nodes/edge-z/drain", token: operatorToken)
            #expect(unknown == .notFound && unknownBody.contains("no node 'edge-z'"))
        }
        let rows = try await Self.auditRows(redis, count: 3)
        #expect(rows.map(\.action) == ["node.drain", "node.undrain", "node.drain"])
        #expect(rows.map(\.target) == ["node/edge-a", "node/edge-a", "node/edge-z"])
        #expect(rows.map(\.actor) == ["tester-operator", "tester-admin", "tester-operator"])
        #expect(rows.map { $0.result.prefix(3) } == ["200", "200", "404"])
        await redis.shutdown()
    }

    @Test("POST /v1/topology publishes a valid file's canonical JSON; invalid files and other meshes are refused")
    func applyOverHTTP() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let redis = RedisClient(endpoint: server.endpoint)
        await redis.waitUntil(available: true)
        let yaml = try String(contentsOf: Self.topologyFile, encoding: .utf8)
        let token = OperatorRouteTests.token(.operator)
        try await Self.withServer(redis) { client in
            let (status, body) = try await Self.call(client, .post, "/v1/topology", token: token, body: yaml)
            #expect(status == .ok && body.hasPrefix(#"{"mesh":"local","plan":"#), "\(body)")
            let expected = try TopologyJSON.encode(TopologyLoader.load(yaml: yaml, file: "local.yaml"))
            #expect(try await PublishedTopology.fetchJSON(from: redis) == String(decoding: expected, as: UTF8.self))

            // The loader's diagnostics come back, at their line and column.
            let broken = yaml.replacing("    region: local-b", with: "    region: local-z")
            let (invalid, invalidBody) = try await Self.call(client, .post, "/v1/topology", token: token, body: broken)
            #expect(
                invalid == .unprocessableContent && invalidBody.contains("unknown region 'local-z'"), "\(invalidBody)")
            let other = yaml.replacing("mesh: local", with: "mesh: elsewhere")
            let (conflict, conflictBody) = try await Self.call(client, .post, "/v1/topology", token: token, body: other)
            #expect(conflict == .conflict && conflictBody.contains("'elsewhere'"))
            let (wrongType, _) = try await Self.call(
                client, .post, "/v1/topology", token: token, body: yaml, contentType: "application/json")
            #expect(wrongType == .unsupportedMediaType)
            // What the refused files said changed nothing in Redis.
            #expect(try await PublishedTopology.fetchJSON(from: redis) == String(decoding: expected, as: UTF8.self))
        }
        let rows = try await Self.auditRows(redis, count: 4)
        #expect(rows.map(\.action) == Array(repeating: "topology.apply", count: 4))
        #expect(rows.map(\.target) == ["topology/local", "topology/-", "topology/elsewhere", "topology/-"])
        #expect(rows.map { $0.result.prefix(3) } == ["200", "422", "409", "415"])
        await redis.shutdown()
    }

    @Test("a node without a mesh answers the mesh commands with 503")
    func withoutAMesh() async throws {
        try await ControlTest.withServer(OperatorRouteTests.engine) { client in
            let token = OperatorRouteTests.token(.operator)
            let (drain, _) = try await Self.call(client, .post, "/v1/nodes/edge-a/drain", token: token)
            #expect(drain == .serviceUnavailable)
            let (apply, body) = try await Self.call(client, .post, "/v1/topology", token: token, body: "mesh: x")
            #expect(apply == .serviceUnavailable && body.contains("without a mesh"))
        }
    }
}
