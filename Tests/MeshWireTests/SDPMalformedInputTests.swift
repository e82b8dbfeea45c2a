import Testing

@testable import MeshWire

/// Malformed descriptions fail with the line that is wrong and a reason naming the rule.
@Suite struct SDPMalformedInputTests {
    /// A minimal valid head (lines 1–4) to which each case appends its broken lines.
    static let head = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"

    static func error(parsing text: String) -> SDPParseError? {
        do {
            _ = try SessionDescription(parsing: text)
            return nil
        } catch {
            return error
        }
    }

    @Test func missingVersionLine() throws {
        // RFC 8866 §5: v= comes first.
        let error = try #require(Self.error(parsing: "o=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"))
        #expect(error.line == 1)
        #expect(error.reason.contains("v="))
    }

    @Test func emptyInput() throws {
        #expect(Self.error(parsing: "")?.line == 1)
    }

    @Test func wrongVersion() throws {
        #expect(Self.error(parsing: "v=1\r\n")?.line == 1)
    }

    @Test func missingSessionName() throws {
        // s= must follow o= (RFC 8866 §5.3); line 3 holds t= instead.
        let error = try #require(Self.error(parsing: "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\nt=0 0\r\n"))
        #expect(error.line == 3)
        #expect(error.reason.contains("'s='"))
    }

    @Test func originWithTooFewFields() throws {
        #expect(Self.error(parsing: "v=0\r\no=- 1 1 IN IP4\r\ns=-\r\n")?.line == 2)
    }

    @Test(arguments: [
        ("m=audio 9", "at least one format"),  // no proto, no formats
        ("m=audio 9 UDP/TLS/RTP/SAVPF", "at least one format"),  // proto but no formats
        ("m=audio 70000 UDP/TLS/RTP/SAVPF 111", "m= port"),  // port above 65535
        ("m=audio nine UDP/TLS/RTP/SAVPF 111", "m= port"),  // port not a number
        ("m=audio 9/x UDP/TLS/RTP/SAVPF 111", "number of ports"),
        ("m=audio 9 UDP/TLS/RTP/SAVPF opus", "payload type"),  // RTP formats are numbers
        ("m=audio 9 UDP/TLS/RTP/SAVPF 111 128", "above 127"),
    ])
    func badMediaLine(line: String, reason: String) throws {
        let error = try #require(Self.error(parsing: Self.head + line + "\r\n"))
        #expect(error.line == 5)
        #expect(error.reason.contains(reason))
    }

    @Test func nonRTPFormatsNeedNotBeNumbers() throws {
        // m=application ... UDP/DTLS/SCTP webrtc-datachannel (RFC 8841 §4.4) is fine.
        let text =
            Self.head
            + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n"
        let description = try SessionDescription(parsing: text)
        #expect(description.media.first?.mediaLine.formats == ["webrtc-datachannel"])
        #expect(description.media.first?.attributes == [.sctpPort(5000), .maxMessageSize(262_144)])
    }

    @Test(arguments: [
        ("a=rtpmap:111", "a=rtpmap"),  // encoding cut off
        ("a=rtpmap:111 opus", "a=rtpmap"),  // clock rate cut off
        ("a=rtpmap:abc opus/48000", "payload type"),  // payload type not a number
        ("a=fmtp:x minptime=10", "payload type"),
        ("a=rtcp-fb:96", "feedback type"),
        ("a=fingerprint:sha-256", "a=fingerprint"),  // digest cut off
        ("a=fingerprint:sha-256 AB:C", "two hex digits"),  // last byte cut in half
        ("a=candidate:1 1 udp 2122260223 192.0.2.1", "a=candidate"),  // stops before typ
        ("a=candidate:1 1 udp 2122260223 192.0.2.1 5000 typ host raddr", "no value"),
        ("a=candidate:1 1 udp 99999999999 192.0.2.1 5000 typ host", "priority"),
        ("a=ssrc:1234", "source attribute"),
        ("a=ssrc-group:FID", "a=ssrc-group"),
        ("a=extmap:1/sideways urn:x", "direction"),
        ("a=extmap:1", "URI"),
        ("a=rid:h", "a=rid"),
        ("a=rid:h sideways", "send or recv"),
        ("a=rid:h send pt=9x", "payload type"),
        ("a=simulcast:send", "a=simulcast"),
        ("a=simulcast:send a;;b", "empty RID"),
        ("a=setup:sometimes", "a=setup"),
        ("a=mid:", "non-empty token"),
        ("a=ice-ufrag:", "non-empty token"),
        ("a=sctp-port:70000", "a=sctp-port"),
        ("a=", "attribute name"),
    ])
    func truncatedOrBadAttribute(line: String, reason: String) throws {
        // The broken attribute sits on line 6, under the m= line on line 5.
        let text = Self.head + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" + line + "\r\na=mid:0\r\n"
        let error = try #require(Self.error(parsing: text))
        #expect(error.line == 6)
        #expect(error.reason.contains(reason))
    }

    @Test func badSessionLevelLines() throws {
        #expect(Self.error(parsing: Self.head + "b=AS\r\n")?.line == 5)
        #expect(Self.error(parsing: Self.head + "c=IN IP4\r\n")?.line == 5)
        #expect(Self.error(parsing: "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nr=7d 1h 0 25h\r\n")?.line == 4)
        // An unknown type letter makes the whole description unusable (RFC 8866 §5).
        #expect(Self.error(parsing: Self.head + "x=1\r\n")?.line == 5)
        // A line that is not <type>=<value> at all.
        #expect(Self.error(parsing: Self.head + "hello\r\n")?.line == 5)
    }

    @Test func lineNumbersCountBlankAndLineFeedOnlyLines() throws {
        // Line 1 v=, 2 o=, 3 s=, 4 blank, 5 t=, 6 m= (bad port).
        let text = "v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\n\nt=0 0\nm=audio x RTP/AVP 0\n"
        #expect(Self.error(parsing: text)?.line == 6)
    }

    @Test func invalidUTF8IsReportedOnItsLine() throws {
        var bytes = Array(Self.head.utf8)
        bytes += Array("a=other:".utf8) + [0xC3, 0x28] + [0x0D, 0x0A]
        #expect(throws: SDPParseError(line: 5, reason: "line is not valid UTF-8 (RFC 8866 §5)")) {
            try SessionDescription(parsing: bytes)
        }
    }
}
