import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MeshControl
import MeshCrypto
import MeshRTC
import Testing

/// Who may `PATCH` and `DELETE` a session (issue 17). RFC 9725 §4.3 gives those methods on a
/// WHIP resource to the holder of its Bearer token (RFC 6750 §2.1), and the WHEP draft does the
/// same for viewers: a token for the stream and kind in the path, or an operator token. The
/// session must also belong to that stream and kind; if not, the answer is the 404 of an
/// unknown session, so a probe learns nothing, and the session is left as it was.
@Suite struct SessionOwnershipTests {
    /// Publisher `s1` and viewer `s2` of stream `victim`, created through the routes (so that
    /// their offers' ufrags are remembered).
    static let publisher = ControlTest.publisher("s1", stream: "victim")
    static let viewer = ControlTest.viewer("s2", stream: "victim")

    static func kind(of address: SessionAddress) -> SessionKindName {
        address.role == .publisher ? .whip : .whep
    }

    /// `whip` or `whep`, with the token action each needs.
    enum SessionKindName: String, CaseIterable, Sendable {
        case whip, whep

        var action: StreamAction { self == .whip ? .publish : .view }
        var other: SessionKindName { self == .whip ? .whep : .whip }
    }

    static func createVictims(_ client: some TestClientProtocol) async throws {
        for kind in SessionKindName.allCases {
            let headers = ControlTest.headers(kind.action, stream: "victim")
            let response = try await client.execute(
                uri: "/\(kind.rawValue)/victim", method: .post, headers: headers,
                body: ByteBuffer(string: ControlTest.offer))
            #expect(response.status == .created)
        }
    }

    /// A PATCH (a trickle, or `body`) or DELETE of `path` with `token`, if any.
    static func send(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, token: String?,
        body: String = ControlTest.trickle, ifMatch: String? = nil
    ) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        headers[.ifMatch] = ifMatch
        guard method == .patch else { return try await client.execute(uri: path, method: method, headers: headers) }
        headers[.contentType] = "application/trickle-ice-sdpfrag"
        return try await client.execute(uri: path, method: method, headers: headers, body: ByteBuffer(string: body))
    }

    static let routes: [(HTTPRequest.Method, SessionAddress)] = [
        (.patch, publisher), (.patch, viewer), (.delete, publisher), (.delete, viewer),
    ]

    @Test(arguments: routes)
    func tokensThatFitAnotherPathCannotReachTheSession(method: HTTPRequest.Method, own: SessionAddress) async throws {
        let engine = RecordingNodeControl()
        let kind = Self.kind(of: own)
        try await ControlTest.withServer(engine) { client in
            try await Self.createVictims(client)
            let attempts: [(String, String, String?, HTTPResponse.Status)] = [
                // The attacker's own stream in the path, so the token fits the path: the engine refuses.
                (
                    "another stream's token, under its stream", "/\(kind.rawValue)/attacker/\(own.id)",
                    ControlTest.token(kind.action, stream: "attacker"), .notFound
                ),
                (
                    "the other kind's token, under its kind", "/\(kind.other.rawValue)/victim/\(own.id)",
                    ControlTest.token(kind.other.action, stream: "victim"), .notFound
                ),
                (
                    "the other kind's token for another stream, under both",
                    "/\(kind.other.rawValue)/attacker/\(own.id)",
                    ControlTest.token(kind.other.action, stream: "attacker"), .notFound
                ),
                // Under the session's own path, the token itself is refused (RFC 6750 §3.1).
                (
                    "another stream's token, under the session's path", "/\(kind.rawValue)/victim/\(own.id)",
                    ControlTest.token(kind.action, stream: "attacker"), .forbidden
                ),
                (
                    "the other kind's token, under the session's path", "/\(kind.rawValue)/victim/\(own.id)",
                    ControlTest.token(kind.other.action, stream: "victim"), .forbidden
                ),
                ("no token", "/\(kind.rawValue)/victim/\(own.id)", nil, .unauthorized),
            ]
            for (what, path, token, status) in attempts {
                let response = try await Self.send(client, method, path, token: token)
                #expect(response.status == status, "\(method) \(what)")
                if status == .notFound {
                    // Exactly the answer for an id that never existed.
                    let unknown = try await Self.send(
                        client, method, path.replacing(own.id, with: "00000000000000000000000000000000"),
                        token: token)
                    #expect(response.status == unknown.status && response.body == unknown.body, "\(what)")
                }
                if status == .unauthorized {
                    #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer ") == true)
                }
                #expect(engine.sessions[own] == "gen-1", "\(method) \(what) left the session as it was")
            }
            // The right token under the right path still works.
            let response = try await Self.send(
                client, method, "/\(kind.rawValue)/victim/\(own.id)",
                token: ControlTest.token(kind.action, stream: "victim"))
            #expect(response.status == (method == .patch ? .noContent : .ok))
        }
    }

    /// Every path and token but the session's own: nothing but 401, 403 or 404, and the session
    /// never changes. The id, which `/v1/streams` once published, is worth nothing alone.
    @Test func aSessionIDAloneIsWorthNothing() async throws {
        let engine = RecordingNodeControl()
        let tokens: [(StreamAction, String)?] = [
            (.publish, "victim"), (.view, "victim"), (.publish, "attacker"), (.view, "attacker"),
            (.publish, "*"), (.view, "*"), nil,
        ]
        try await ControlTest.withServer(engine) { client in
            try await Self.createVictims(client)
            for own in [Self.publisher, Self.viewer] {
                let ownKind = Self.kind(of: own)
                for method in [HTTPRequest.Method.patch, .delete] {
                    for kind in SessionKindName.allCases {
                        for stream in ["victim", "attacker", "other"] {
                            for grant in tokens {
                                let fits = kind == ownKind && stream == "victim" && grant?.0 == ownKind.action
                                if fits { continue }
                                let path = "/\(kind.rawValue)/\(stream)/\(own.id)"
                                let token = grant.map { ControlTest.token($0.0, stream: $0.1) }
                                let response = try await Self.send(client, method, path, token: token)
                                #expect(
                                    [.unauthorized, .forbidden, .notFound].contains(response.status),
                                    "\(method) \(path) with \(String(describing: grant)): \(response.status)")
                            }
                        }
                    }
                }
                #expect(engine.sessions[own] == "gen-1")
            }
        }
    }

    /// A refused PATCH or DELETE must not make the routes forget the owner's ICE ufrag: without
    /// it, an ICE restart would no longer need If-Match (RFC 9725 §4.3.2).
    @Test func refusedRequestsLeaveTheOwnersICEBookkeepingAlone() async throws {
        let engine = RecordingNodeControl()
        try await ControlTest.withServer(engine) { client in
            try await Self.createVictims(client)
            let attacker = ControlTest.token(.view, stream: "attacker")
            for method in [HTTPRequest.Method.delete, .patch] {
                let response = try await Self.send(client, method, "/whep/attacker/s1", token: attacker)
                #expect(response.status == .notFound)
            }
            let owner = ControlTest.token(.publish, stream: "victim")
            let unconditional = try await Self.send(
                client, .patch, "/whip/victim/s1", token: owner, body: ControlTest.restart)
            #expect(unconditional.status == .preconditionRequired)
            let restarted = try await Self.send(
                client, .patch, "/whip/victim/s1", token: owner, body: ControlTest.restart, ifMatch: "*")
            #expect(restarted.status == .ok)
        }
    }

    /// `meshcast token --operator`: valid on every stream's sessions, for PATCH and DELETE only.
    @Test func anOperatorTokenEndsAndRestartsAnySessionAtItsAddress() async throws {
        let engine = RecordingNodeControl()
        let token =
            (try? StreamToken.mint(stream: "*", action: .operator, ttl: .seconds(600), secret: ControlTest.secret))
            ?? ""
        try await ControlTest.withServer(engine) { client in
            try await Self.createVictims(client)
            // Still only at the session's own address.
            #expect(try await Self.send(client, .delete, "/whep/victim/s1", token: token).status == .notFound)
            #expect(try await Self.send(client, .delete, "/whip/attacker/s1", token: token).status == .notFound)
            let patched = try await Self.send(
                client, .patch, "/whip/victim/s1", token: token, body: ControlTest.restart, ifMatch: "*")
            #expect(patched.status == .ok)
            #expect(try await Self.send(client, .patch, "/whep/victim/s2", token: token).status == .noContent)
            #expect(try await Self.send(client, .delete, "/whip/victim/s1", token: token).status == .ok)
            #expect(try await Self.send(client, .delete, "/whep/victim/s2", token: token).status == .ok)
            #expect(engine.sessions.isEmpty)

            // It neither publishes, views nor declares.
            for kind in SessionKindName.allCases {
                let response = try await client.execute(
                    uri: "/\(kind.rawValue)/victim", method: .post,
                    headers: [.authorization: "Bearer \(token)", .contentType: "application/sdp"],
                    body: ByteBuffer(string: ControlTest.offer))
                #expect(response.status == .forbidden)
            }
            let declare = try await client.execute(
                uri: "/v1/streams/victim", method: .put, headers: ControlTest.bearer(token))
            #expect(declare.status == .forbidden)
        }
    }
}
