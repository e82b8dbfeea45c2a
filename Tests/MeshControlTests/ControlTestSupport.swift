import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MeshControl
import MeshCrypto
import MeshRTC

/// Shared pieces of the route tests: a server over a recording engine, tokens, and offers.
enum ControlTest {
    static let secret = Array("route-test secret, 32 bytes long".utf8)

    /// A WHIP/WHEP offer; the routes only read its ICE ufrag, the engine the rest.
    static let offer = """
        v=0\r
        o=- 1 1 IN IP4 127.0.0.1\r
        s=-\r
        t=0 0\r
        a=ice-ufrag:cli1\r
        a=ice-pwd:clientpassword1clientpass\r
        m=audio 9 UDP/TLS/RTP/SAVPF 111\r
        c=IN IP4 0.0.0.0\r
        a=mid:0\r
        a=rtpmap:111 opus/48000/2\r

        """

    /// RFC 8840 §4.4-style trickle: the current ufrag/pwd and one candidate.
    static let trickle = """
        a=ice-ufrag:cli1\r
        a=ice-pwd:clientpassword1clientpass\r
        m=audio 9 UDP/TLS/RTP/SAVPF 111\r
        a=mid:0\r
        a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host\r

        """

    /// RFC 9725 §4.3.2-style ICE restart: a new ufrag and pwd.
    static let restart = """
        a=ice-ufrag:cli2\r
        a=ice-pwd:clientpassword2clientpass\r
        m=audio 9 UDP/TLS/RTP/SAVPF 111\r
        a=mid:0\r

        """

    static func token(
        _ action: StreamAction, stream: String = "lobby", ttl: Duration = .seconds(600), now: Date = Date()
    ) -> String {
        // Minting with OpenSSL's HMAC cannot fail here; a failure would show as a 401 in the test.
        (try? StreamToken.mint(stream: stream, action: action, ttl: ttl, secret: secret, now: now)) ?? "unsigned"
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    /// The address of publisher session `id` of `stream`.
    static func publisher(_ id: String, stream: String = "lobby") -> SessionAddress {
        SessionAddress(id: id, stream: stream, role: .publisher)
    }

    /// The address of viewer session `id` of `stream`.
    static func viewer(_ id: String, stream: String = "lobby") -> SessionAddress {
        SessionAddress(id: id, stream: stream, role: .viewer)
    }

    static func headers(
        _ action: StreamAction, stream: String = "lobby", contentType: String = "application/sdp"
    ) -> HTTPFields {
        var fields = bearer(token(action, stream: stream))
        fields[.contentType] = contentType
        return fields
    }

    /// Runs `body` against a router-mode application over `engine`.
    static func withServer(
        _ engine: RecordingNodeControl = RecordingNodeControl(),
        configuration: ControlConfiguration = ControlConfiguration(tokenSecret: secret),
        _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let server = ControlServer(configuration: configuration, control: engine)
        try await server.makeApplication().test(.router) { client in try await body(client) }
    }

    static func text(_ response: TestResponse) -> String { String(buffer: response.body) }
}

extension HTTPField.Name {
    static let testLink = HTTPField.Name("Link") ?? .contentType
    static let testAcceptPost = HTTPField.Name("Accept-Post") ?? .contentType
    static let testAcceptPatch = HTTPField.Name("Accept-Patch") ?? .contentType
}
