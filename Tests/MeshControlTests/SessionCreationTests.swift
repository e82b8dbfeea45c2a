import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MeshControl
import MeshCrypto
import MeshRTC
import Testing

/// `POST /whip/{stream}` and `POST /whep/{stream}` (RFC 9725 §4.2).
@Suite struct SessionCreationTests {
    @Test func whipPostCreatesAPublisherSession() async throws {
        let engine = RecordingNodeControl()
        let configuration = ControlConfiguration(
            tokenSecret: ControlTest.secret,
            iceServers: [
                ICEServerLink(url: "stun:127.0.0.1:3478"),
                ICEServerLink(url: "turn:127.0.0.1:3478?transport=udp", username: "1700000000:u", credential: "pw"),
            ])
        try await ControlTest.withServer(engine, configuration: configuration) { client in
            try await client.execute(
                uri: "/whip/lobby", method: .post, headers: ControlTest.headers(.publish),
                body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == .created)
                #expect(response.headers[.contentType] == "application/sdp")
                #expect(response.headers[.location] == "/whip/lobby/s1")
                #expect(response.headers[.eTag] == "\"gen-1\"")
                #expect(ControlTest.text(response) == "v=0\r\nanswer-for-s1\r\n")
                // RFC 9725 §4.4: one Link per ICE server, TURN with its credentials.
                #expect(
                    response.headers[values: .testLink] == [
                        "<stun:127.0.0.1:3478>; rel=\"ice-server\"",
                        "<turn:127.0.0.1:3478?transport=udp>; rel=\"ice-server\"; username=\"1700000000:u\"; "
                            + "credential=\"pw\"; credential-type=\"password\"",
                    ])
                #expect(response.headers[.accessControlAllowOrigin] == "*")
                #expect(response.headers[.accessControlExposeHeaders] == "Location, ETag, Link, Retry-After")
            }
        }
        #expect(engine.calls == [.publish(stream: "lobby", offer: ControlTest.offer, client: "unknown")])
    }

    @Test func publicBaseURLMakesLocationAbsolute() async throws {
        let configuration = ControlConfiguration(
            tokenSecret: ControlTest.secret, publicBaseURL: "https://origin.example.net/")
        try await ControlTest.withServer(configuration: configuration) { client in
            try await client.execute(
                uri: "/whep/lobby", method: .post, headers: ControlTest.headers(.view),
                body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == .created)
                #expect(response.headers[.location] == "https://origin.example.net/whep/lobby/s1")
            }
        }
    }

    @Test func whepPostPassesViewerOptions() async throws {
        let engine = RecordingNodeControl()
        try await ControlTest.withServer(engine) { client in
            try await client.execute(
                uri: "/whep/lobby?maxBitrate=500000&maxBitrateSeconds=2.5", method: .post,
                headers: ControlTest.headers(.view), body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == .created)
                #expect(response.headers[.location] == "/whep/lobby/s1")
                #expect(response.headers[.eTag] == "\"gen-1\"")
            }
        }
        #expect(
            engine.calls == [
                .view(
                    stream: "lobby", offer: ControlTest.offer, client: "unknown",
                    options: ViewerOptions(maxBitrate: 500_000, maxBitrateSeconds: 2.5))
            ])
    }

    @Test(arguments: [
        "maxBitrate=fast", "maxBitrate=-5", "maxBitrate=0", "maxBitrate=1.5", "maxBitrate=",
        "maxBitrateSeconds=soon", "maxBitrateSeconds=0", "maxBitrateSeconds=-1", "maxBitrateSeconds=inf",
    ])
    func invalidViewerOptionsAre400(query: String) async throws {
        let engine = RecordingNodeControl()
        try await ControlTest.withServer(engine) { client in
            try await client.execute(
                uri: "/whep/lobby?\(query)", method: .post, headers: ControlTest.headers(.view),
                body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(ControlTest.text(response).contains("maxBitrate"))
            }
        }
        #expect(engine.calls.isEmpty)
    }

    @Test(arguments: ["text/plain", "application/json", "application/sdpx"])
    func wrongContentTypeIs415SayingWhatIsAccepted(contentType: String) async throws {
        let engine = RecordingNodeControl()
        try await ControlTest.withServer(engine) { client in
            try await client.execute(
                uri: "/whip/lobby", method: .post, headers: ControlTest.headers(.publish, contentType: contentType),
                body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == .unsupportedMediaType)
                #expect(ControlTest.text(response).contains("application/sdp"))
                #expect(response.headers[.testAcceptPost] == "application/sdp")
            }
        }
        #expect(engine.calls.isEmpty)
    }

    @Test func contentTypeParametersAndCaseAreIgnored() async throws {
        try await ControlTest.withServer { client in
            try await client.execute(
                uri: "/whip/lobby", method: .post,
                headers: ControlTest.headers(.publish, contentType: "Application/SDP; charset=utf-8"),
                body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == .created)
            }
        }
    }

    @Test func bodyOverTheLimitIs413() async throws {
        let engine = RecordingNodeControl()
        let configuration = ControlConfiguration(tokenSecret: ControlTest.secret, maxSDPBytes: 1024)
        try await ControlTest.withServer(engine, configuration: configuration) { client in
            try await client.execute(
                uri: "/whip/lobby", method: .post, headers: ControlTest.headers(.publish),
                body: ByteBuffer(string: String(repeating: "a=x\r\n", count: 205))  // 1025 bytes
            ) { response in
                #expect(response.status == .contentTooLarge)
            }
            // Exactly at the limit is accepted.
            try await client.execute(
                uri: "/whip/lobby", method: .post, headers: ControlTest.headers(.publish),
                body: ByteBuffer(string: String(repeating: "a=x\r\n", count: 204) + "\r\n\r\n")  // 1024 bytes
            ) { response in
                #expect(response.status == .created)
            }
        }
        #expect(engine.calls.count == 1)
    }

    @Test func defaultLimitIs64KiB() async throws {
        try await ControlTest.withServer { client in
            try await client.execute(
                uri: "/whip/lobby", method: .post, headers: ControlTest.headers(.publish),
                body: ByteBuffer(repeating: UInt8(ascii: "a"), count: 64 * 1024 + 1)
            ) { response in
                #expect(response.status == .contentTooLarge)
            }
        }
    }

    @Test func emptyBodyIs400() async throws {
        let engine = RecordingNodeControl()
        try await ControlTest.withServer(engine) { client in
            try await client.execute(
                uri: "/whip/lobby", method: .post, headers: ControlTest.headers(.publish), body: ByteBuffer()
            ) { response in
                #expect(response.status == .badRequest)
                #expect(ControlTest.text(response) == "empty body\n")
            }
        }
        #expect(engine.calls.isEmpty)
    }

    @Test func invalidStreamNameIs400() async throws {
        try await ControlTest.withServer { client in
            try await client.execute(
                uri: "/whip/a%22b", method: .post, headers: ControlTest.headers(.publish, stream: "*"),
                body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test(arguments: [
        (SessionRequestError.badOffer("no m= line"), HTTPResponse.Status.badRequest),
        (.noUsableCodec("offered H265 only"), .badRequest),
        (.streamAlreadyPublished, .conflict),
        (.unknownStream, .notFound),
        (.unavailable("draining"), .serviceUnavailable),
    ])
    func engineRefusalsMapToStatuses(error: SessionRequestError, status: HTTPResponse.Status) async throws {
        let engine = RecordingNodeControl(.init(publishError: error, viewError: error))
        try await ControlTest.withServer(engine) { client in
            for (path, action) in [("/whip/lobby", StreamAction.publish), ("/whep/lobby", .view)] {
                try await client.execute(
                    uri: path, method: .post, headers: ControlTest.headers(action),
                    body: ByteBuffer(string: ControlTest.offer)
                ) { response in
                    #expect(response.status == status, "\(path)")
                    #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
                    #expect(ControlTest.text(response) == error.description + "\n")
                    #expect(response.headers[.location] == nil)
                    // RFC 9110 §10.2.3: a 503 says when to come back.
                    #expect((response.headers[.retryAfter] != nil) == (status == .serviceUnavailable))
                }
            }
        }
    }
}
