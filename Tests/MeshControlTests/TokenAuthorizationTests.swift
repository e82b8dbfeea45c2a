import Foundation
import Hummingbird
import HummingbirdTesting
import MeshControl
import MeshCrypto
import MeshRTC
import Testing

/// Bearer tokens on every mutating route (RFC 6750 §2.1, §3.1).
@Suite struct TokenAuthorizationTests {
    /// Each token failure, the status it gets, and the RFC 6750 §3.1 error code of its challenge.
    static let failures: [(String, String?, HTTPResponse.Status, String)] = [
        ("missing", nil, .unauthorized, "invalid_token"),
        ("not bearer", "Basic dXNlcjpwYXNz", .unauthorized, "invalid_token"),
        ("malformed", "Bearer not-a-jwt", .unauthorized, "invalid_token"),
        (
            "bad signature",
            "Bearer "
                + ((try? StreamToken.mint(
                    stream: "lobby", action: .publish, ttl: .seconds(600),
                    secret: Array("some other secret of 32 bytes!!!".utf8))) ?? ""),
            .unauthorized, "invalid_token"
        ),
        (
            "alg none",
            "Bearer " + Base64URL.encode(Array(#"{"alg":"none"}"#.utf8)) + "."
                + Base64URL.encode(Array(#"{"stream":"lobby","action":"publish","exp":9999999999}"#.utf8)) + ".",
            .unauthorized, "invalid_token"
        ),
        (
            "expired",
            "Bearer " + ControlTest.token(.publish, ttl: .seconds(60), now: Date().addingTimeInterval(-3600)),
            .unauthorized, "invalid_token"
        ),
        ("wrong stream", "Bearer " + ControlTest.token(.publish, stream: "other"), .forbidden, "insufficient_scope"),
        ("wrong action", "Bearer " + ControlTest.token(.view), .forbidden, "insufficient_scope"),
    ]

    @Test(arguments: failures)
    func whipPostRefusesEachTokenFailure(
        name: String, authorization: String?, status: HTTPResponse.Status, code: String
    ) async throws {
        let engine = RecordingNodeControl()
        try await ControlTest.withServer(engine) { client in
            var headers: HTTPFields = [.contentType: "application/sdp"]
            headers[.authorization] = authorization
            try await client.execute(
                uri: "/whip/lobby", method: .post, headers: headers, body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == status, "\(name)")
                let challenge = response.headers[.wwwAuthenticate] ?? ""
                #expect(challenge.hasPrefix("Bearer error=\"\(code)\", error_description=\""), "\(name): \(challenge)")
                #expect(!ControlTest.text(response).isEmpty, "\(name): the body says why")
            }
        }
        #expect(engine.calls.isEmpty, "\(name)")
    }

    @Test func bodySaysWhyTheTokenExpired() async throws {
        try await ControlTest.withServer { client in
            let token = ControlTest.token(.publish, ttl: .seconds(60), now: Date().addingTimeInterval(-3600))
            var headers = ControlTest.bearer(token)
            headers[.contentType] = "application/sdp"
            try await client.execute(
                uri: "/whip/lobby", method: .post, headers: headers, body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(ControlTest.text(response) == "token expired\n")
                #expect(
                    response.headers[.wwwAuthenticate]
                        == "Bearer error=\"invalid_token\", error_description=\"token expired\"")
            }
        }
    }

    @Test func whepNeedsAViewToken() async throws {
        try await ControlTest.withServer { client in
            try await client.execute(
                uri: "/whep/lobby", method: .post, headers: ControlTest.headers(.publish),
                body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == .forbidden)
            }
        }
    }

    @Test func wildcardTokenPublishesAnyStream() async throws {
        try await ControlTest.withServer { client in
            try await client.execute(
                uri: "/whip/anything", method: .post, headers: ControlTest.headers(.publish, stream: "*"),
                body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == .created)
            }
        }
    }

    @Test func deleteAndPatchAndPutNeedTheirTokens() async throws {
        let engine = RecordingNodeControl(
            .init(sessions: [SessionAddress(id: "s9", stream: "lobby", role: .publisher): "gen-1"]))
        try await ControlTest.withServer(engine) { client in
            try await client.execute(uri: "/whip/lobby/s9", method: .delete) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(
                uri: "/whep/lobby/s9", method: .delete, headers: ControlTest.bearer(ControlTest.token(.publish))
            ) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(
                uri: "/whip/lobby/s9", method: .patch,
                headers: [.contentType: "application/trickle-ice-sdpfrag"],
                body: ByteBuffer(string: ControlTest.trickle)
            ) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(
                uri: "/v1/streams/lobby", method: .put, headers: ControlTest.bearer(ControlTest.token(.view))
            ) { response in
                #expect(response.status == .forbidden)
            }
        }
        #expect(engine.calls.isEmpty)
    }
}
