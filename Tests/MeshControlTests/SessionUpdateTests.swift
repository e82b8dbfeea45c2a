import Hummingbird
import HummingbirdTesting
import MeshControl
import MeshCrypto
import MeshRTC
import Testing

/// `PATCH`, `DELETE` and `OPTIONS` on session resources (RFC 9725 §4.3, §4.4).
@Suite struct SessionUpdateTests {
    static let sdpfrag = "application/trickle-ice-sdpfrag"

    /// Creates session `s1` on `/whip/lobby` through the route, so that the offer's ufrag is known.
    static func publish(_ client: some TestClientProtocol) async throws {
        try await client.execute(
            uri: "/whip/lobby", method: .post, headers: ControlTest.headers(.publish),
            body: ByteBuffer(string: ControlTest.offer)
        ) { response in
            #expect(response.status == .created)
        }
    }

    static func patch(
        _ client: some TestClientProtocol, _ body: String, ifMatch: String? = nil, contentType: String = sdpfrag,
        path: String = "/whip/lobby/s1"
    ) async throws -> TestResponse {
        var headers = ControlTest.headers(.publish, contentType: contentType)
        headers[.ifMatch] = ifMatch
        return try await client.execute(uri: path, method: .patch, headers: headers, body: ByteBuffer(string: body))
    }

    @Test(arguments: [nil, "\"gen-1\"", "*", "\"old\", \"gen-1\""])
    func trickleIs204WithOrWithoutAMatchingIfMatch(ifMatch: String?) async throws {
        let engine = RecordingNodeControl()
        try await ControlTest.withServer(engine) { client in
            try await Self.publish(client)
            let response = try await Self.patch(client, ControlTest.trickle, ifMatch: ifMatch)
            #expect(response.status == .noContent)
        }
        #expect(engine.calls.last == .patchSession(ControlTest.publisher("s1"), fragment: ControlTest.trickle))
    }

    @Test(arguments: ["\"gen-0\"", "W/\"gen-1\"", "gen-1"])
    func trickleWithAMismatchingIfMatchIs412(ifMatch: String) async throws {
        // RFC 9110 §13.1.1: If-Match compares strongly, so a weak or unquoted tag does not match.
        let engine = RecordingNodeControl()
        try await ControlTest.withServer(engine) { client in
            try await Self.publish(client)
            let response = try await Self.patch(client, ControlTest.trickle, ifMatch: ifMatch)
            #expect(response.status == .preconditionFailed)
        }
        #expect(engine.calls.count == 1, "the engine never saw the PATCH")
    }

    @Test func iceRestartWithoutIfMatchIs428() async throws {
        let engine = RecordingNodeControl()
        try await ControlTest.withServer(engine) { client in
            try await Self.publish(client)
            let response = try await Self.patch(client, ControlTest.restart)
            #expect(response.status == .preconditionRequired)
            #expect(ControlTest.text(response).contains("If-Match"))
        }
        #expect(engine.calls.count == 1)
    }

    @Test func iceRestartWithAStaleETagIs412() async throws {
        let engine = RecordingNodeControl()
        try await ControlTest.withServer(engine) { client in
            try await Self.publish(client)
            let response = try await Self.patch(client, ControlTest.restart, ifMatch: "\"gen-0\"")
            #expect(response.status == .preconditionFailed)
        }
        #expect(engine.calls.count == 1)
    }

    @Test(arguments: ["*", "\"gen-1\""])
    func iceRestartIs200WithTheAnswerFragmentAndANewETag(ifMatch: String) async throws {
        let engine = RecordingNodeControl()
        try await ControlTest.withServer(engine) { client in
            try await Self.publish(client)
            let response = try await Self.patch(client, ControlTest.restart, ifMatch: ifMatch)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == Self.sdpfrag)
            #expect(response.headers[.eTag] == "\"gen-2\"")
            #expect(ControlTest.text(response) == "a=ice-ufrag:srv2\r\na=ice-pwd:serverpassword2serverpass\r\n")
            // After the restart the new ufrag is current: trickling with it needs no If-Match,
            // and the old ETag no longer matches.
            let trickle = ControlTest.trickle.replacing("cli1", with: "cli2")
            #expect(try await Self.patch(client, trickle).status == .noContent)
            #expect(try await Self.patch(client, trickle, ifMatch: "\"gen-1\"").status == .preconditionFailed)
            #expect(try await Self.patch(client, trickle, ifMatch: "\"gen-2\"").status == .noContent)
        }
    }

    @Test func patchWithTheWrongContentTypeIs415() async throws {
        try await ControlTest.withServer { client in
            try await Self.publish(client)
            let response = try await Self.patch(client, ControlTest.trickle, contentType: "application/sdp")
            #expect(response.status == .unsupportedMediaType)
            #expect(response.headers[.testAcceptPatch] == Self.sdpfrag)
            #expect(ControlTest.text(response).contains(Self.sdpfrag))
        }
    }

    @Test func patchOfAnUnknownSessionIs404() async throws {
        try await ControlTest.withServer { client in
            let response = try await Self.patch(client, ControlTest.trickle, path: "/whip/lobby/nope")
            #expect(response.status == .notFound)
        }
    }

    @Test func malformedFragmentIs400() async throws {
        try await ControlTest.withServer { client in
            try await Self.publish(client)
            let response = try await Self.patch(client, "m=audio\r\n")
            #expect(response.status == .badRequest)
        }
    }

    @Test func engineRefusalOfAPatchIsMapped() async throws {
        let engine = RecordingNodeControl()
        try await ControlTest.withServer(engine) { client in
            try await Self.publish(client)
            engine.update { $0.patchError = .badOffer("candidate without a port") }
            let response = try await Self.patch(client, ControlTest.trickle)
            #expect(response.status == .badRequest)
            #expect(ControlTest.text(response) == "malformed SDP offer: candidate without a port\n")
        }
    }

    @Test func deleteEndsTheSessionThen404() async throws {
        let engine = RecordingNodeControl()
        try await ControlTest.withServer(engine) { client in
            try await Self.publish(client)
            let headers = ControlTest.bearer(ControlTest.token(.publish))
            try await client.execute(uri: "/whip/lobby/s1", method: .delete, headers: headers) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/whip/lobby/s1", method: .delete, headers: headers) { response in
                #expect(response.status == .notFound)
            }
        }
        #expect(engine.calls.dropFirst().first == .endSession(ControlTest.publisher("s1"), reason: "WHIP DELETE"))
    }

    @Test func whepDeleteNeedsAViewToken() async throws {
        let engine = RecordingNodeControl(.init(sessions: [ControlTest.viewer("v1"): "gen-1"]))
        try await ControlTest.withServer(engine) { client in
            try await client.execute(
                uri: "/whep/lobby/v1", method: .delete, headers: ControlTest.bearer(ControlTest.token(.view))
            ) { response in
                #expect(response.status == .ok)
            }
        }
        #expect(engine.calls == [.endSession(ControlTest.viewer("v1"), reason: "WHEP DELETE")])
    }

    @Test(arguments: ["/whip/lobby", "/whep/lobby"])
    func preflightOnAPostResource(path: String) async throws {
        let configuration = ControlConfiguration(
            tokenSecret: ControlTest.secret, iceServers: [ICEServerLink(url: "stun:127.0.0.1:3478")],
            allowedOrigin: "https://app.example.net")
        try await ControlTest.withServer(configuration: configuration) { client in
            try await client.execute(uri: path, method: .options) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == "https://app.example.net")
                #expect(response.headers[.accessControlAllowMethods] == "POST, OPTIONS")
                #expect(response.headers[.accessControlAllowHeaders] == "Authorization, Content-Type, If-Match")
                #expect(response.headers[.accessControlExposeHeaders] == "Location, ETag, Link, Retry-After")
                #expect(response.headers[.testAcceptPost] == "application/sdp")
                #expect(response.headers[values: .testLink] == ["<stun:127.0.0.1:3478>; rel=\"ice-server\""])
            }
        }
    }

    @Test(arguments: ["/whip/lobby/s1", "/whep/lobby/s1"])
    func preflightOnASessionResource(path: String) async throws {
        try await ControlTest.withServer { client in
            try await client.execute(uri: path, method: .options) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == "*")
                #expect(response.headers[.accessControlAllowMethods] == "PATCH, DELETE, OPTIONS")
                #expect(response.headers[.accessControlAllowHeaders] == "Authorization, Content-Type, If-Match")
                #expect(response.headers[.testAcceptPatch] == Self.sdpfrag)
            }
        }
    }
}
