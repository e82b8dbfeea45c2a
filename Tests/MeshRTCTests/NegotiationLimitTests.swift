import MeshRTC
import MeshWire
import Testing

/// ``OfferLimits``: how many media sections and simulcast layers one offer may ask for. An
/// offer is free to carry any number of m-lines (RFC 8866 §5.14), but each accepted one costs
/// the node a track; refusals are short 400s (RFC 9725 §4.2 lets WHIP answer 400 to an offer
/// it cannot take).
@Suite struct NegotiationLimitTests {
    /// `audio` Opus sections then `video` VP8 sections, all in one BUNDLE group (mids 0, 1, ...).
    static func offer(audio: Int, video: Int, direction: String = "sendonly") -> String {
        let sections =
            (0..<audio).map { NegotiationOffers.audio(mid: "\($0)", direction: direction) }
            + (0..<video).map {
                NegotiationOffers.video(
                    mid: "\(audio + $0)", direction: direction, payloadTypes: "96", "a=rtpmap:96 VP8/90000")
            }
        let group = "a=group:BUNDLE " + (0..<(audio + video)).map(String.init).joined(separator: " ")
        var lines = ["v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0", group]
        lines.append(NegotiationOffers.transport)
        return (lines + sections).joined(separator: "\n") + "\n"
    }

    /// One simulcast video section offering `rids` layers (RFC 8853 §5.1, RFC 8852 rid extension).
    static func simulcastOffer(rids: Int) -> String {
        let names = (0..<rids).map { "r\($0)" }
        return NegotiationOffers.offer(
            group: "a=group:BUNDLE 1",
            NegotiationOffers.video(
                payloadTypes: "96",
                """
                a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
                a=rtpmap:96 VP8/90000
                \(names.map { "a=rid:\($0) send" }.joined(separator: "\n"))
                a=simulcast:send \(names.joined(separator: ";"))
                """))
    }

    @Test func aHundredVideoSectionsAreRefusedBeforeAnyIsNegotiated() {
        let error = negotiationError(Self.offer(audio: 0, video: 100), role: .publisher)
        guard case .tooManyTracks(let detail) = error else {
            Issue.record("expected tooManyTracks, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("100 media sections"))
        #expect(detail.contains("at most 4 audio and 4 video"))
        // The 400's body is this sentence: short, whatever the offer's size.
        let body = error?.sessionRequestError.description ?? ""
        #expect(body.utf8.count < 512, "\(body.utf8.count) bytes")
    }

    @Test(arguments: [(5, 0), (0, 5), (4, 5), (5, 4)])
    func oneSectionOverAKindsLimitIsRefused(audio: Int, video: Int) {
        let error = negotiationError(Self.offer(audio: audio, video: video), role: .publisher)
        guard case .tooManyTracks = error else {
            Issue.record("expected tooManyTracks, got \(String(describing: error))")
            return
        }
    }

    @Test(arguments: [NegotiationRole.publisher, .viewer])
    func fourAudioAndFourVideoSectionsAreAccepted(role: NegotiationRole) throws {
        let direction = role == .publisher ? "sendonly" : "recvonly"
        let ssrcs = (1...16).map { UInt32($0) * 0x0101_0101 }
        let run = try NegotiationRun(
            Self.offer(audio: 4, video: 4, direction: direction), role: role, ssrcs: ssrcs)
        #expect(
            run.session.media.map(\.kind) == Array(repeating: .audio, count: 4) + Array(repeating: .video, count: 4))
    }

    /// Media the node does not carry counts towards the total: each still costs an answer section.
    @Test func tooManySectionsOfOtherMediaAreRefused() {
        let application = (2..<12).map { "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\na=mid:\($0)" }
        var offer = NegotiationOffers.offer(NegotiationOffers.audio(), NegotiationLimitTests.vp8)
        offer += application.joined(separator: "\n") + "\n"
        guard case .tooManyTracks(let detail) = negotiationError(offer, role: .publisher) else {
            Issue.record("expected tooManyTracks")
            return
        }
        #expect(detail.contains("12 media sections"))
    }

    /// Simulcast layers are rids within one section (RFC 8853); Chromium offers three.
    @Test func fourRIDsAreAcceptedAndFiveRefused() throws {
        let run = try NegotiationRun(Self.simulcastOffer(rids: 4), role: .publisher)
        #expect(try run.media("1").simulcastRIDs == ["r0", "r1", "r2", "r3"])
        let error = negotiationError(Self.simulcastOffer(rids: 5), role: .publisher)
        guard case .tooManyTracks(let detail) = error else {
            Issue.record("expected tooManyTracks, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("5 rids"))
        #expect(detail.contains("RFC 8853"))
    }

    /// The captured offers stay within the limits.
    @Test(arguments: ["chromium-simulcast", "chromium-audio-video", "aiortc-sendonly", "aiortc-sendrecv"])
    func capturedOffersAreWithinTheLimits(name: String) throws {
        _ = try NegotiationRun(try NegotiationOffers.fixture(name), role: .publisher)
    }

    /// Whatever an error repeats of the offer is cut, so a 400 never grows with the request.
    @Test func errorsEchoAtMost200BytesOfTheOffer() {
        let mid = String(repeating: "m", count: 60_000)
        let offer = NegotiationOffers.offer(
            group: "a=group:BUNDLE 0", NegotiationOffers.audio(),
            NegotiationLimitTests.vp8.replacing("a=mid:1", with: "a=mid:\(mid)"))
        let error = negotiationError(offer, role: .publisher)
        guard case .notBundled = error else {
            Issue.record("expected notBundled, got \(String(describing: error))")
            return
        }
        let description = error?.description ?? ""
        #expect(description.utf8.count < 512, "\(description.utf8.count) bytes")
        #expect(description.contains("…"))
    }

    static let vp8 = NegotiationOffers.video(payloadTypes: "96", "a=rtpmap:96 VP8/90000")
}
