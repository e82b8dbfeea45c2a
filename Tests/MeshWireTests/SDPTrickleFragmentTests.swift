import Testing

@testable import MeshWire

/// application/trickle-ice-sdpfrag bodies (RFC 8840 §9).
@Suite struct SDPTrickleFragmentTests {
    /// The PATCH body of the WHIP trickle-ICE example (RFC 9725 §4.3.1, Figure "Trickle ICE
    /// request"), with LF line endings as printed.
    static let whipExample = """
        a=group:BUNDLE 0 1
        m=audio 9 UDP/TLS/RTP/SAVPF 111
        a=mid:0
        a=ice-ufrag:EsAw
        a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1
        a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw network-id 1
        a=candidate:3471623853 1 udp 2122194687 198.51.100.2 61765 typ host generation 0 ufrag EsAw network-id 2
        a=candidate:473322822 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active generation 0 ufrag EsAw network-id 1
        a=candidate:2154773085 1 tcp 1518214911 198.51.100.2 9 typ host tcptype active generation 0 ufrag EsAw network-id 2
        a=end-of-candidates

        """

    /// A fragment in the shape RFC 8840 §4.4 gives: credentials at session level, then one
    /// m= line identified by its a=mid, with a candidate and end-of-candidates.
    static let sipInfoExample = """
        a=ice-pwd:asd88fgpdd777uzjYhagZg\r
        a=ice-ufrag:8hhY\r
        a=ice-options:trickle\r
        m=audio 5000 RTP/AVP 0\r
        a=mid:1\r
        a=candidate:1 1 UDP 1658497328 192.0.2.33 5000 typ host\r
        a=end-of-candidates\r

        """

    @Test func whipPatchBody() throws {
        let fragment = try TrickleICEFragment(parsing: Self.whipExample)
        #expect(fragment.groups == [SDPGroup(semantics: "BUNDLE", mids: ["0", "1"])])
        let section = try #require(fragment.section(withMID: "0"))
        #expect(fragment.sections.count == 1)
        #expect(section.mediaLine == MediaLine(media: "audio", port: 9, proto: "UDP/TLS/RTP/SAVPF", formats: ["111"]))
        #expect(section.iceUfrag == "EsAw" && section.icePwd == "P2uYro0UCOQ4zxjKXaWCBui1")
        #expect(section.candidates.map(\.foundation) == ["1387637174", "3471623853", "473322822", "2154773085"])
        #expect(section.candidates.map(\.tcpType) == [nil, nil, "active", "active"])
        #expect(section.candidates[1].extensions.last == .init(name: "network-id", value: "2"))
        #expect(section.hasEndOfCandidates)
        // Serialized with CRLF, it is the same text.
        #expect(fragment.serialized == Self.whipExample.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    @Test func sessionLevelCredentials() throws {
        let fragment = try TrickleICEFragment(parsing: Self.sipInfoExample)
        #expect(fragment.iceUfrag == "8hhY" && fragment.icePwd == "asd88fgpdd777uzjYhagZg")
        #expect(fragment.iceOptions == ["trickle"])
        #expect(fragment.sections.map(\.mid) == ["1"])
        #expect(fragment.sections.first?.candidates.first?.port == 5000)
        #expect(fragment.serialized == Self.sipInfoExample)
    }

    @Test(arguments: [whipExample, sipInfoExample])
    func roundTrip(text: String) throws {
        let fragment = try TrickleICEFragment(parsing: text)
        #expect(try TrickleICEFragment(parsing: fragment.serializedBytes) == fragment)
    }

    @Test func builtFragmentSerializes() throws {
        // What a WHEP server would send back after an ICE restart: new credentials only.
        let fragment = TrickleICEFragment(attributes: [.iceUfrag("abcd"), .icePwd("0123456789abcdefghijkl")])
        #expect(fragment.serialized == "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\n")
        #expect(try TrickleICEFragment(parsing: fragment.serialized) == fragment)
    }

    @Test func errors() throws {
        // v= has no place in a fragment (RFC 8840 §9.2 allows only a= and m=).
        #expect(throws: SDPParseError.self) { try TrickleICEFragment(parsing: "v=0\r\n") }
        do {
            _ = try TrickleICEFragment(parsing: "a=ice-ufrag:x\r\nv=0\r\n")
            Issue.record("parsed a fragment with v=")
        } catch {
            #expect(error.line == 2)
        }
        // The second section (m= on line 3) has no a=mid.
        do {
            _ = try TrickleICEFragment(
                parsing: "m=audio 9 RTP/AVP 0\na=mid:0\nm=video 9 RTP/AVP 96\na=end-of-candidates\n")
            Issue.record("parsed a section without a=mid")
        } catch {
            #expect(error.line == 3)
            #expect(error.reason.contains("a=mid"))
        }
        // A truncated candidate on line 3.
        do {
            _ = try TrickleICEFragment(parsing: "m=audio 9 RTP/AVP 0\na=mid:0\na=candidate:1 1 udp\n")
            Issue.record("parsed a truncated candidate")
        } catch {
            #expect(error.line == 3)
        }
    }
}
