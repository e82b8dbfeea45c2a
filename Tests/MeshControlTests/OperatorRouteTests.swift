import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MeshCluster
import MeshControl
import MeshCrypto
import MeshRTC
import Testing

/// The operator API and roles on the routes (issue 15, item 3): every operator endpoint refuses
/// publish, view and record tokens with 403 and a reason, and tokens that are not revocable or
/// not for every stream; a revoked token is refused everywhere a token is read.
@Suite struct OperatorRouteTests {
    /// Read per token: a `static let` fixed at first use left later tokens of a long run with
    /// less of their 600 s than they claimed.
    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    /// A token with a subject and an id, as `meshcast token` mints them.
    static func token(
        _ action: StreamAction, stream: String = "*", jti: String? = StreamToken.newTokenID(), key: TokenKey? = nil
    ) -> String {
        let claims = StreamToken(
            stream: stream, action: action, expiresAt: now + 600, issuedAt: now, subject: "tester-\(action.rawValue)",
            tokenID: jti, keyID: key?.id)
        return (try? claims.signed(secret: key?.secret ?? ControlTest.secret)) ?? "unsigned"
    }

    /// The operator endpoints, each with a body that would be accepted (the check comes first,
    /// so the topology's content type does not matter here).
    static let endpoints: [(HTTPRequest.Method, String, String?)] = [
        (.delete, "/v1/sessions/s1", nil),
        (.post, "/v1/tokens/revoke", #"{"jti":"some-token"}"#),
        (.post, "/v1/nodes/edge-a/drain", nil),
        (.delete, "/v1/nodes/edge-a/drain", nil),
        (.post, "/v1/topology", "mesh: local"),
        (.get, "/v1/mesh", nil),
        (.get, "/v1/turn", nil),
    ]

    static func call(
        _ client: any TestClientProtocol, _ endpoint: (HTTPRequest.Method, String, String?), token: String?
    ) async throws -> (HTTPResponse.Status, String) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(
            uri: endpoint.1, method: endpoint.0, headers: headers, body: endpoint.2.map { ByteBuffer(string: $0) }
        ) { response in (response.status, ControlTest.text(response)) }
    }

    static var engine: RecordingNodeControl {
        RecordingNodeControl(
            .init(
                sessions: [SessionAddress(id: "s1", stream: "lobby", role: .publisher): "1"],
                streams: [StreamSnapshot(name: "lobby", live: true, publishers: 1, tracks: [], viewers: 0)]))
    }

    @Test("every operator endpoint refuses publish, view and record tokens with 403 and says why")
    func refusesOtherRoles() async throws {
        let engine = Self.engine
        try await ControlTest.withServer(engine) { client in
            for endpoint in Self.endpoints {
                for role in [StreamAction.publish, .view, .record] {
                    for stream in ["*", "lobby"] {
                        let (status, body) = try await Self.call(
                            client, endpoint, token: Self.token(role, stream: stream))
                        #expect(status == .forbidden, "\(endpoint.1) with \(role)")
                        #expect(body.contains("needs an operator or admin token, not a \(role.rawValue) token"))
                    }
                }
                #expect(try await Self.call(client, endpoint, token: nil).0 == .unauthorized)
            }
        }
        #expect(engine.sessions.count == 1)
    }

    @Test("an operator token without a jti (minted before roles) or for one stream is refused with 403")
    func refusesUnrevocableOrScopedOperators() async throws {
        let engine = Self.engine
        try await ControlTest.withServer(engine) { client in
            for endpoint in Self.endpoints {
                let legacy = ControlTest.token(.operator, stream: "*")
                let (status, body) = try await Self.call(client, endpoint, token: legacy)
                #expect(status == .forbidden && body.contains("revocable token"))
                let scoped = Self.token(.admin, stream: "lobby")
                let (scopedStatus, scopedBody) = try await Self.call(client, endpoint, token: scoped)
                #expect(scopedStatus == .forbidden && scopedBody.contains("every stream"))
            }
        }
        #expect(engine.sessions.count == 1)
    }

    @Test("DELETE /v1/sessions/{id} ends a session by id alone, for an operator or an admin")
    func endsASessionByID() async throws {
        for role in [StreamAction.operator, .admin] {
            let engine = Self.engine
            try await ControlTest.withServer(engine) { client in
                let (status, _) = try await Self.call(client, Self.endpoints[0], token: Self.token(role))
                #expect(status == .noContent)
                #expect(engine.sessions.isEmpty)
                let (again, _) = try await Self.call(client, Self.endpoints[0], token: Self.token(role))
                #expect(again == .notFound)
            }
        }
    }

    @Test("a revoked token is refused at once on the node that revoked it, on every route that reads tokens")
    func revokedTokenIsRefused() async throws {
        let engine = Self.engine
        let victim = Self.token(.operator, jti: "victim-1")
        let publisher = Self.token(.publish, jti: "victim-2")
        try await ControlTest.withServer(engine) { client in
            for jti in ["victim-1", "victim-2"] {
                let (status, body) = try await Self.call(
                    client, (.post, "/v1/tokens/revoke", #"{"jti":"\#(jti)"}"#), token: Self.token(.admin))
                #expect(status == .ok && body.contains(jti))
            }
            let (status, body) = try await Self.call(client, Self.endpoints[0], token: victim)
            #expect(status == .unauthorized && body.contains("token revoked"))
            try await client.execute(
                uri: "/whip/lobby", method: .post,
                headers: ControlTest.bearer(publisher) + [.contentType: "application/sdp"],
                body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
            }
        }
        #expect(engine.sessions.count == 1)
    }

    @Test("a role's routes (the recorder's /v1/recordings) get the node's own operator check: roles, jti, revocation")
    func roleRoutesShareTheOperatorCheck() async throws {
        var configuration = ControlConfiguration(tokenSecret: ControlTest.secret)
        configuration.roleRoutes = { router, gate in
            router.get("/v1/role-thing") { request, _ in gate.refusal(for: request) ?? Response(status: .ok) }
        }
        let victim = Self.token(.operator, jti: "role-victim")
        try await ControlTest.withServer(Self.engine, configuration: configuration) { client in
            let route: (HTTPRequest.Method, String, String?) = (.get, "/v1/role-thing", nil)
            #expect(try await Self.call(client, route, token: nil).0 == .unauthorized)
            #expect(try await Self.call(client, route, token: Self.token(.view)).0 == .forbidden)
            #expect(try await Self.call(client, route, token: Self.token(.record)).0 == .forbidden)
            #expect(try await Self.call(client, route, token: Self.token(.operator, jti: nil)).0 == .forbidden)
            #expect(try await Self.call(client, route, token: Self.token(.admin)).0 == .ok)
            #expect(try await Self.call(client, route, token: victim).0 == .ok)
            let revoke: (HTTPRequest.Method, String, String?) = (.post, "/v1/tokens/revoke", #"{"jti":"role-victim"}"#)
            #expect(try await Self.call(client, revoke, token: Self.token(.admin)).0 == .ok)
            let (status, body) = try await Self.call(client, route, token: victim)
            #expect(status == .unauthorized && body.contains("token revoked"))
        }
    }

    @Test("a malformed revocation body is 400")
    func malformedRevocation() async throws {
        try await ControlTest.withServer(Self.engine) { client in
            for body in ["not json", #"{"jti":""}"#, #"{"jti":"has space"}"#, #"{"exp":5}"#] {
                let (status, _) = try await Self.call(
                    client, (.post, "/v1/tokens/revoke", body), token: Self.token(.operator))
                #expect(status == .badRequest, "\(body)")
            }
        }
    }

    @Test("with a named key ring, both keys of a rotation are accepted and an unknown kid is 401")
    func rotatedKeys() async throws {
        let old = TokenKey(id: "k-old", secret: Array("the old key of the rotation, 32b".utf8))
        let new = TokenKey(id: "k-new", secret: Array("the new key of the rotation, 32b".utf8))
        var configuration = ControlConfiguration(tokenSecret: ControlTest.secret)
        configuration.tokenKeys = [new, old]
        try await ControlTest.withServer(Self.engine, configuration: configuration) { client in
            for key in [old, new] {
                let (status, _) = try await Self.call(
                    client, (.delete, "/v1/sessions/none", nil), token: Self.token(.operator, key: key))
                #expect(status == .notFound, "\(key.id)")
            }
            let stranger = TokenKey(id: "k-gone", secret: old.secret)
            let (status, body) = try await Self.call(
                client, (.delete, "/v1/sessions/none", nil), token: Self.token(.operator, key: stranger))
            #expect(status == .unauthorized && body.contains("unknown token key id k-gone"))
        }
        configuration.tokenKeys = [new]
        try await ControlTest.withServer(Self.engine, configuration: configuration) { client in
            let (status, _) = try await Self.call(
                client, (.delete, "/v1/sessions/none", nil), token: Self.token(.operator, key: old))
            #expect(status == .unauthorized)
        }
    }
}

extension HTTPFields {
    fileprivate static func + (lhs: HTTPFields, rhs: HTTPFields) -> HTTPFields {
        var fields = lhs
        fields.append(contentsOf: rhs)
        return fields
    }
}
