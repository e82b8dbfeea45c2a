import Foundation
import MeshControl
import Testing

/// Request bodies the HTTP decoder cannot read, over a real socket so that the decoder (not a
/// router test's ready-made buffer) meets the bytes: RFC 9112 §7.1 chunked coding with a chunk
/// size that is not hexadecimal is the client's error, 400, not 413.
@Suite struct MalformedBodyTests {
    private static func whip(chunkedBody: String) -> String {
        "POST /whip/lobby HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Authorization: Bearer \(ControlTest.token(.publish))\r\nContent-Type: application/sdp\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n" + chunkedBody
    }

    @Test func aMalformedChunkSizeIsABadRequest() async throws {
        let engine = RecordingNodeControl()
        try await LiveControlServer.run(ControlConfiguration(tokenSecret: ControlTest.secret), engine: engine) {
            port in
            let (text, closed) = try await offThePool {
                let socket = try RawHTTPSocket(port: port)
                // "zz" is no chunk-size (1*HEXDIG).
                socket.send(Self.whip(chunkedBody: "zz\r\nv=0\r\n0\r\n\r\n"))
                socket.read(for: 5)
                return (socket.text, socket.isClosed)
            }
            #expect(text.hasPrefix("HTTP/1.1 400 Bad Request"))
            #expect(text.contains("malformed chunked body"))
            #expect(closed, "the connection stays open after the decoder lost its place")
        }
        #expect(engine.calls.isEmpty)
    }

    @Test func aWellFormedChunkedOfferIsAccepted() async throws {
        let engine = RecordingNodeControl()
        try await LiveControlServer.run(ControlConfiguration(tokenSecret: ControlTest.secret), engine: engine) {
            port in
            let status = try await offThePool {
                let socket = try RawHTTPSocket(port: port)
                let offer = Array(ControlTest.offer.utf8)
                socket.send(
                    Self.whip(
                        chunkedBody: String(offer.count, radix: 16) + "\r\n" + ControlTest.offer + "\r\n0\r\n\r\n"))
                return socket.readResponse(within: 5)
            }
            #expect(status == "HTTP/1.1 201 Created")
        }
        #expect(engine.calls.count == 1)
    }
}
