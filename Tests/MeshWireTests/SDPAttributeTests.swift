import Testing

@testable import MeshWire

/// Attribute grammars not exercised by the captures, each written out from its RFC.
@Suite struct SDPAttributeTests {
    static let head = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96 97 98\r\n"

    static func media(_ lines: [String]) throws -> MediaDescription {
        let text = head + lines.map { $0 + "\r\n" }.joined()
        let description = try SessionDescription(parsing: text)
        // Every case also round-trips.
        #expect(try SessionDescription(parsing: description.serialized) == description)
        return try #require(description.media.first)
    }

    @Test func ridRestrictions() throws {
        // RFC 8851 §10: rid-id SP rid-dir [SP rid-pt-param-list / rid-param-list].
        let media = try Self.media(["a=rid:1 send pt=96,97;max-width=1280;max-height=720;max-fps=30", "a=rid:2 recv"])
        let rid = try #require(media.rids.first)
        #expect(rid.id == "1" && rid.direction == .send)
        #expect(rid.payloadTypes == [96, 97])
        #expect(rid["max-width"] == "1280" && rid["max-height"] == "720" && rid["max-fps"] == "30")
        #expect(rid.restrictions.map(\.name) == ["pt", "max-width", "max-height", "max-fps"])
        #expect(media.rids.last == RIDDescription(id: "2", direction: .receive))
    }

    @Test func simulcastAlternativesAndPaused() throws {
        // RFC 8853 §5.1: ";" separates streams, "," separates alternatives, "~" pauses.
        let media = try Self.media(["a=simulcast:send 1,~4;2;3 recv c"])
        let simulcast = try #require(media.simulcast)
        #expect(
            simulcast.send == [
                [.init(rid: "1"), .init(rid: "4", isPaused: true)], [.init(rid: "2")], [.init(rid: "3")],
            ])
        #expect(simulcast.receive == [[.init(rid: "c")]])
        // recv may come first; the value is the same.
        #expect(try Self.media(["a=simulcast:recv c send 1,~4;2;3"]).simulcast == simulcast)
    }

    @Test func serverReflexiveCandidate() throws {
        // RFC 8839 §4.2.6 example (the folded line joined).
        let media = try Self.media([
            "a=candidate:2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 203.0.113.141 rport 8998"
        ])
        #expect(
            media.candidates == [
                ICECandidate(
                    foundation: "2", component: 1, transport: "UDP", priority: 1_694_498_815, address: "192.0.2.3",
                    port: 45664, kind: .serverReflexive, relatedAddress: "203.0.113.141", relatedPort: 8998)
            ])
    }

    @Test func candidateFromJavaScriptForm() throws {
        // RTCIceCandidate.candidate carries "candidate:..." without "a=".
        let candidate = try ICECandidate(
            parsing: "candidate:3 1 udp 41885439 203.0.113.9 3478 typ relay raddr 0.0.0.0 rport 0")
        #expect(candidate.kind == .relayed && candidate.relatedPort == 0)
        #expect(throws: SDPParseError.self) { try ICECandidate(parsing: "3 1 udp 41885439 203.0.113.9 3478 typ relay") }
    }

    @Test func extensionMapDirection() throws {
        // RFC 8285 §8: extmap:<value>["/"<direction>] <URI> <extensionattributes>.
        let media = try Self.media([
            "a=extmap:4/recvonly urn:ietf:params:rtp-hdrext:sdes:mid", "a=extmap:5 urn:example:ext attr1 attr2",
        ])
        #expect(
            media.extensionMaps[0]
                == ExtensionMap(id: 4, direction: .receiveOnly, uri: "urn:ietf:params:rtp-hdrext:sdes:mid"))
        #expect(media.extensionMaps[1].extensionAttributes == "attr1 attr2")
    }

    @Test func formatParameterOrderIsKept() throws {
        let media = try Self.media([
            "a=fmtp:96 profile-level-id=42e01f;packetization-mode=1;sprop-parameter-sets=Z0IAH5WoFAFuQA==,aM48gA=="
        ])
        let parameters = try #require(media.formatParameters(for: 96)).parameters
        #expect(parameters.map(\.name) == ["profile-level-id", "packetization-mode", "sprop-parameter-sets"])
        // Only the first "=" splits: base64 padding stays in the value.
        #expect(parameters.last?.value == "Z0IAH5WoFAFuQA==,aM48gA==")
    }

    @Test func unknownAttributesAreKeptVerbatim() throws {
        let lines = [
            "a=x-google-flag:conference", "a=framerate:29.97", "a=weird:  spaced  value ", "a=flagonly",
            "a=rtcp-mux:unexpected",
        ]
        let media = try Self.media(lines)
        #expect(media.attributes.map(\.line) == lines)
        #expect(media.attributes[3] == .other(name: "flagonly", value: nil))
        // A known flag written with a value is not that flag.
        #expect(media.attributes[4] == .other(name: "rtcp-mux", value: "unexpected"))
        #expect(!media.isRTCPMuxed)
    }

    @Test func flagsAndSmallAttributes() throws {
        let media = try Self.media([
            "a=bundle-only", "a=rtcp-mux", "a=rtcp-mux-only", "a=rtcp-rsize", "a=end-of-candidates", "a=inactive",
            "a=ice-options:trickle ice2", "a=msid:stream1", "a=ssrc-group:SIM 1 2 3",
        ])
        #expect(
            Array(media.attributes.prefix(6)) == [
                .bundleOnly, .rtcpMux, .rtcpMuxOnly, .rtcpReducedSize, .endOfCandidates, .direction(.inactive),
            ])
        #expect(media.iceOptions == ["trickle", "ice2"])
        #expect(media.msids == [MediaStreamID(streamID: "stream1")])
        #expect(media.ssrcGroups == [SSRCGroup(semantics: "SIM", ssrcs: [1, 2, 3])])
    }

    @Test func sessionLevelLinesRoundTrip() throws {
        // RFC 8866 §5 optional lines, in their required order.
        let text = """
            v=0\r
            o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\r
            s=Call to John Smith\r
            i=SDP Offer #1\r
            u=http://www.jdoe.example.com/home.html\r
            e=Jane Doe <jane@jdoe.example.com>\r
            p=+1 617 555-6011\r
            c=IN IP4 198.51.100.1\r
            b=AS:512\r
            t=0 0\r
            r=604800 3600 0 90000\r
            z=2882844526 -1h\r
            m=audio 49170 RTP/AVP 0\r
            i=audio\r
            b=TIAS:64000\r
            m=video 51372 RTP/AVP 99 100\r
            c=IN IP6 2001:db8::2\r
            a=rtpmap:99 h263-1998/90000\r

            """
        let description = try SessionDescription(parsing: text)
        #expect(description.serialized == text)
        #expect(description.origin.sessionVersion == 3_724_394_405)
        #expect(description.bandwidths == [SDPBandwidth(type: "AS", value: 512)])
        #expect(description.timings == [SDPTiming(repeats: ["604800 3600 0 90000"])])
        #expect(description.media[0].bandwidths == [SDPBandwidth(type: "TIAS", value: 64000)])
        #expect(description.media[1].connections == [SDPConnection(addressType: "IP6", address: "2001:db8::2")])
    }
}
