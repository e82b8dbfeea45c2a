import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MeshControl
import MeshCrypto
import MeshRTC
import Testing

/// Error bodies of the session routes stay short whatever the request repeats into them
/// (issue 17: a 1000-m-line offer's 400 carried a 53 KB body). RFC 9725 §4.2 and RFC 6750 §3
/// ask for a status and a reason, not an echo of the request.
@Suite struct SessionErrorBodyTests {
    static let huge = String(repeating: "m=video 9 UDP/TLS/RTP/SAVPF 96 ", count: 2_000)

    @Test func anEngineRefusalRepeatingTheOfferIsCut() async throws {
        let engine = RecordingNodeControl(.init(publishError: .badOffer(Self.huge)))
        try await ControlTest.withServer(engine) { client in
            let response = try await client.execute(
                uri: "/whip/lobby", method: .post, headers: ControlTest.headers(.publish),
                body: ByteBuffer(string: ControlTest.offer))
            #expect(response.status == .badRequest)
            #expect(response.body.readableBytes < 512, "\(response.body.readableBytes) bytes")
            #expect(ControlTest.text(response).hasPrefix("malformed SDP offer: m=video"))
        }
    }

    @Test func aLongContentTypeIsNotEchoed() async throws {
        try await ControlTest.withServer { client in
            var headers = ControlTest.bearer(ControlTest.token(.publish))
            headers[.contentType] = "text/" + String(repeating: "x", count: 20_000)
            let response = try await client.execute(
                uri: "/whip/lobby", method: .post, headers: headers, body: ByteBuffer(string: ControlTest.offer))
            #expect(response.status == .unsupportedMediaType)
            #expect(response.body.readableBytes < 512, "\(response.body.readableBytes) bytes")
        }
    }

    @Test func aMalformedFragmentIsNotEchoed() async throws {
        let engine = RecordingNodeControl()
        try await ControlTest.withServer(engine) { client in
            try await SessionUpdateTests.publish(client)
            // An attribute name with spaces, which the parser's error quotes (RFC 8866 §5.13).
            let name = String(repeating: "x y ", count: 5_000)
            let response = try await SessionUpdateTests.patch(client, "a=\(name):1\r\n")
            #expect(response.status == .badRequest)
            #expect(response.body.readableBytes < 512, "\(response.body.readableBytes) bytes")
        }
    }

    /// A signed token whose action claim is 3 KB of text: a 401 that says so briefly.
    @Test func aLongUnknownTokenActionIsNotEchoed() async throws {
        let header = Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8)
        let payload = Array(
            #"{"action":"\#(String(repeating: "a", count: 3_000))","exp":9999999999,"stream":"lobby"}"#.utf8)
        let token = try CompactHS256.sign(header: header, payload: payload, secret: ControlTest.secret)
        try await ControlTest.withServer { client in
            var headers = ControlTest.bearer(token)
            headers[.contentType] = "application/sdp"
            let response = try await client.execute(
                uri: "/whip/lobby", method: .post, headers: headers, body: ByteBuffer(string: ControlTest.offer))
            #expect(response.status == .unauthorized)
            #expect(response.body.readableBytes < 512, "\(response.body.readableBytes) bytes")
        }
    }
}
