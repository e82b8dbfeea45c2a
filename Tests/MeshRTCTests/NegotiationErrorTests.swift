import MeshRTC
import MeshWire
import Testing

/// Each way an offer is refused, and the sentence it gives for the HTTP 400 body.
@Suite struct NegotiationErrorTests {
    static let vp8 = NegotiationOffers.video(payloadTypes: "96", "a=rtpmap:96 VP8/90000")

    /// Text that is not SDP carries the parser's line number (RFC 8866 §5).
    @Test func malformedNamesTheLine() {
        let error = negotiationError(
            "v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\nt=0 0\nm=video nine UDP/TLS/RTP/SAVPF 96\n", role: .publisher)
        guard case .malformed(let detail) = error else {
            Issue.record("expected malformed, got \(String(describing: error))")
            return
        }
        #expect(detail.hasPrefix("line 5:"))
        #expect(error?.description.contains("line 5") == true)
    }

    @Test func missingICECredentials() {
        let transport = NegotiationOffers.transport.split(separator: "\n").filter { !$0.hasPrefix("a=ice-pwd") }
            .joined(separator: "\n")
        let offer = NegotiationOffers.offer(transport: transport, NegotiationOffers.audio(), Self.vp8)
        #expect(negotiationError(offer, role: .publisher) == .missingICECredentials)
    }

    /// RFC 8839 §5.4: ice-pwd is at least 22 ice-chars, ice-ufrag at least 4.
    @Test(arguments: [
        ("a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y", "a=ice-pwd:short", "a=ice-pwd"),
        ("a=ice-ufrag:EsAw", "a=ice-ufrag:Es", "a=ice-ufrag"),
        ("a=ice-ufrag:EsAw", "a=ice-ufrag:Es_w", "a=ice-ufrag"),
    ])
    func invalidICECredentials(original: String, replacement: String, named: String) {
        let transport = NegotiationOffers.transport.replacingOccurrences(of: original, with: replacement)
        let error = negotiationError(
            NegotiationOffers.offer(transport: transport, NegotiationOffers.audio(), Self.vp8), role: .publisher)
        guard case .invalidICECredentials(let detail) = error else {
            Issue.record("expected invalidICECredentials, got \(String(describing: error))")
            return
        }
        #expect(detail.contains(named))
    }

    @Test func missingFingerprint() {
        let transport = NegotiationOffers.transport.split(separator: "\n").filter { !$0.hasPrefix("a=fingerprint") }
            .joined(separator: "\n")
        let offer = NegotiationOffers.offer(transport: transport, NegotiationOffers.audio(), Self.vp8)
        #expect(negotiationError(offer, role: .publisher) == .missingFingerprint)
    }

    @Test func holdconnIsUnsupported() {
        let transport = NegotiationOffers.transport.replacingOccurrences(of: "actpass", with: "holdconn")
        let offer = NegotiationOffers.offer(transport: transport, NegotiationOffers.audio(), Self.vp8)
        #expect(negotiationError(offer, role: .publisher) == .unsupportedSetup)
    }

    @Test func missingMID() {
        let audio = NegotiationOffers.audio().replacingOccurrences(of: "a=mid:0\n", with: "")
        #expect(negotiationError(NegotiationOffers.offer(audio, Self.vp8), role: .publisher) == .missingMID(1))
    }

    /// Every accepted section shares one transport (RFC 9143).
    @Test func notBundled() {
        let outside = NegotiationOffers.offer(group: "a=group:BUNDLE 0", NegotiationOffers.audio(), Self.vp8)
        #expect(negotiationError(outside, role: .publisher) == .notBundled("1"))
        let noGroup = NegotiationOffers.offer(group: nil, NegotiationOffers.audio(), Self.vp8)
        #expect(negotiationError(noGroup, role: .publisher) == .notBundled("1"))
    }

    @Test func missingRTCPMux() {
        let offer = NegotiationOffers.offer(
            NegotiationOffers.audio().replacingOccurrences(of: "a=rtcp-mux\n", with: ""),
            Self.vp8.replacingOccurrences(of: "a=rtcp-mux\n", with: ""))
        #expect(negotiationError(offer, role: .publisher) == .missingRTCPMux)
    }

    /// Nothing usable: the error names each section and what it offered.
    @Test func noUsableCodecNamesTheOffer() {
        let audio = """
            m=audio 9 UDP/TLS/RTP/SAVPF 9 0
            c=IN IP4 0.0.0.0
            a=mid:0
            a=sendonly
            a=rtcp-mux
            a=rtpmap:9 G722/8000
            a=rtpmap:0 PCMU/8000
            """
        let video = NegotiationOffers.video(payloadTypes: "45", "a=rtpmap:45 AV1/90000")
        let error = negotiationError(NegotiationOffers.offer(audio, video), role: .publisher)
        guard case .noUsableCodec(let detail) = error else {
            Issue.record("expected noUsableCodec, got \(String(describing: error))")
            return
        }
        for named in ["G722/8000", "PCMU/8000", "AV1/90000", "'0'", "'1'", "opus/48000/2", "VP8/90000"] {
            #expect(detail.contains(named))
        }
        #expect(error?.sessionRequestError == .noUsableCodec(detail))
    }

    /// A WHIP offer must send; a WHEP offer must receive.
    @Test(arguments: [
        (NegotiationRole.publisher, "recvonly"), (.publisher, "inactive"), (.viewer, "sendonly"), (.viewer, "inactive"),
    ])
    func wrongDirection(role: NegotiationRole, direction: String) {
        let offer = NegotiationOffers.offer(
            group: "a=group:BUNDLE 0", NegotiationOffers.audio(direction: direction))
        guard case .wrongDirection(let detail) = negotiationError(offer, role: role) else {
            Issue.record("expected wrongDirection")
            return
        }
        #expect(detail.contains(direction))
        #expect(detail.contains(role == .publisher ? "WHIP" : "WHEP"))
    }

    /// A source that only repeats the offer's SSRC cannot give a distinct one.
    @Test func ssrcCollision() {
        let audio = NegotiationOffers.audio(direction: "sendrecv", "a=ssrc:7 cname:viewer")
        let offer = NegotiationOffers.offer(group: "a=group:BUNDLE 0", audio)
        #expect(negotiationError(offer, role: .viewer, ssrc: 7) == .ssrcCollision)
        #expect(negotiationError(offer, role: .publisher, ssrc: 7) == nil)
    }

    /// Every description is one sentence, and everything but noUsableCodec maps to badOffer.
    @Test(arguments: [
        NegotiationError.malformed("line 1: x"), .missingICECredentials, .invalidICECredentials("x"),
        .missingFingerprint, .unsupportedSetup, .missingMID(2), .notBundled("1"), .missingRTCPMux,
        .noUsableCodec("x"), .wrongDirection("The offer is wrong."), .ssrcCollision,
    ])
    func descriptionsAreSentences(error: NegotiationError) {
        #expect(error.description.first?.isUppercase == true)
        #expect(error.description.hasSuffix("."))
        if case .noUsableCodec = error { return }
        #expect(error.sessionRequestError == .badOffer(error.description))
    }
}
