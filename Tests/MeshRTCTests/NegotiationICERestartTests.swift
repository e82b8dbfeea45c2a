import MeshRTC
import MeshWire
import Testing

/// Trickle and ICE restart `PATCH` bodies (RFC 8840 §9, RFC 9725 §4.3).
@Suite struct NegotiationICERestartTests {
    /// A client restart fragment modelled on RFC 9725 §4.3.2's example: new ufrag/pwd and
    /// candidates under the first bundled section.
    static let restart = """
        a=ice-options:trickle ice2
        a=group:BUNDLE 0 1
        m=audio 9 UDP/TLS/RTP/SAVPF 111
        a=mid:0
        a=ice-ufrag:ysXw
        a=ice-pwd:vw5LmwG4y/e6dPP/zAP9Gp5k
        a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag ysXw network-id 1
        a=candidate:3471623853 1 udp 2122194687 198.51.100.2 61765 typ host generation 0 ufrag ysXw network-id 2
        a=candidate:473322822 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active generation 0 ufrag ysXw network-id 1
        a=end-of-candidates

        """

    @Test func restartAnswerCarriesNewCredentials() throws {
        let answer = try SessionNegotiator().restartAnswerFragment(
            fragment: Self.restart, localUfrag: "N3wu", localPassword: "n3wP4ssw0rdF0rRestarts",
            candidates: NegotiationLocal.transport.candidates)
        #expect(answer.remoteUfrag == "ysXw")
        #expect(answer.remotePassword == "vw5LmwG4y/e6dPP/zAP9Gp5k")
        #expect(answer.remoteCandidates.map(\.port) == [61764, 61765, 9])

        let fragment = try TrickleICEFragment(parsing: answer.fragment)
        #expect(fragment.attributes.contains(.iceLite))
        #expect(fragment.groups == [SDPGroup(semantics: "BUNDLE", mids: ["0", "1"])])
        let section = try #require(fragment.section(withMID: "0"))
        #expect(section.mediaLine == MediaLine(media: "audio", port: 9, proto: "UDP/TLS/RTP/SAVPF", formats: ["111"]))
        #expect(section.iceUfrag == "N3wu" && section.icePwd == "n3wP4ssw0rdF0rRestarts")
        #expect(section.candidates.map(\.port) == [40_000, 40_001])
        #expect(section.candidates[1].tcpType == "passive")
        #expect(section.hasEndOfCandidates)
        #expect(fragment.sections.count == 1)
    }

    /// A fragment with the current ufrag only trickles; a new one restarts (RFC 8839 §4.4.1.1.1).
    @Test func trickleOrRestart() throws {
        let update = try SessionNegotiator().readTrickleFragment(Self.restart)
        #expect(update.ufrag == "ysXw" && update.password == "vw5LmwG4y/e6dPP/zAP9Gp5k")
        #expect(update.candidates.count == 3 && update.isComplete)
        #expect(update.isRestart(currentRemoteUfrag: "EsAw"))
        #expect(!update.isRestart(currentRemoteUfrag: "ysXw"))
        let bare = try SessionNegotiator().readTrickleFragment(
            "m=audio 9 UDP/TLS/RTP/SAVPF 111\na=mid:0\na=candidate:1 1 udp 2122260223 192.0.2.1 61764 typ host\n")
        #expect(bare.ufrag == nil && !bare.isComplete && !bare.isRestart(currentRemoteUfrag: "EsAw"))
    }

    @Test func restartNeedsCredentials() {
        let fragment = Self.restart.split(separator: "\n").filter { !$0.hasPrefix("a=ice-pwd") }.joined(separator: "\n")
        #expect(throws: NegotiationError.missingICECredentials) {
            try SessionNegotiator().restartAnswerFragment(
                fragment: fragment, localUfrag: "N3wu", localPassword: "n3wP4ssw0rdF0rRestarts", candidates: [])
        }
    }

    /// Only a= and m= lines belong in a fragment (RFC 8840 §9.2); a restart needs a section.
    @Test func malformedFragments() {
        for text in ["c=IN IP4 192.0.2.1\n", "a=ice-ufrag:ysXw\na=ice-pwd:vw5LmwG4y/e6dPP/zAP9Gp5k\n"] {
            #expect {
                try SessionNegotiator().restartAnswerFragment(
                    fragment: text, localUfrag: "N3wu", localPassword: "n3wP4ssw0rdF0rRestarts", candidates: [])
            } throws: { error in
                if case .malformed = error as? NegotiationError { true } else { false }
            }
        }
    }
}
