import Testing

@testable import MeshBench

/// The `Link` headers of a WHEP `201` read as TURN servers (RFC 9725 §4.6, RFC 8288 §3,
/// RFC 7065 URIs). The fixture is what a node sends: `ICEServerLink.headerValue` (MeshControl)
/// for its UDP, TCP and TLS listeners, the three fields joined as HTTPClient joins them.
@Suite struct TURNServerLinkTests {
    static let username = "1733403600:4f2a9c"
    static let nodeLinks = [
        "<turn:127.0.0.1:3478?transport=udp>; rel=\"ice-server\"; username=\"\(username)\"; credential=\"c2VjcmV0+/=\"; credential-type=\"password\"",
        "<turn:127.0.0.1:3478?transport=tcp>; rel=\"ice-server\"; username=\"\(username)\"; credential=\"c2VjcmV0+/=\"; credential-type=\"password\"",
        "<turns:127.0.0.1:5349?transport=tcp>; rel=\"ice-server\"; username=\"\(username)\"; credential=\"c2VjcmV0+/=\"; credential-type=\"password\"",
    ].joined(separator: ", ")

    @Test func readsEachListenerOfANode() throws {
        let links = try TURNServerLink.parse(Self.nodeLinks)
        #expect(links.count == 3)
        let udp = try #require(TURNServerLink.first(links, transport: .udp))
        #expect(
            udp
                == TURNServerLink(
                    host: "127.0.0.1", port: 3478, transport: .udp, secure: false, username: Self.username,
                    credential: "c2VjcmV0+/="))
        let tcp = try #require(TURNServerLink.first(links, transport: .tcp))
        #expect(tcp.port == 3478 && !tcp.secure)
        #expect(links[2].secure && links[2].port == 5349)
    }

    @Test func skipsOtherRelationsAndSTUNAndReadsIPv6AndEscapes() throws {
        let field =
            "<https://example.org/a,b>; rel=\"next\", <stun:stun.example.org:3478>; rel=\"ice-server\", "
            + "<turn:[::1]:3479>; rel=ice-server; username=\"a\\\"b,c\"; credential=\"p;q\""
        let links = try TURNServerLink.parse(field)
        #expect(
            links == [
                TURNServerLink(
                    host: "::1", port: 3479, transport: .udp, secure: false, username: "a\"b,c", credential: "p;q")
            ])
        #expect(try TURNServerLink.parse("").isEmpty)
    }

    @Test func refusesATURNLinkItCannotUse() {
        #expect(throws: TURNServerLink.Failure.self) {
            try TURNServerLink.parse("<turn:127.0.0.1:3478>; rel=\"ice-server\"; username=\"u\"")
        }
        #expect(throws: TURNServerLink.Failure.self) {
            try TURNServerLink.parse(
                "<turn:127.0.0.1:3478?transport=sctp>; rel=\"ice-server\"; username=u; credential=p")
        }
        #expect(throws: TURNServerLink.Failure.self) {
            try TURNServerLink.parse("<turn:127.0.0.1>; rel=\"ice-server\"; username=u; credential=p")
        }
        #expect(throws: TURNServerLink.Failure.self) {
            try TURNServerLink.parse("turn:127.0.0.1:3478; rel=\"ice-server\"")
        }
    }
}
