import MeshRTC
import MeshWire
import Testing

/// Answers to the offers captured from Chromium and aiortc (Tests/Fixtures/sdp, made by
/// scripts/fixtures/chromium_offer.sh and aiortc_offer.py).
@Suite struct NegotiationFixtureTests {
    /// Chromium's simulcast publisher: one sendonly video section, `a=simulcast:send q;h;f`.
    @Test func chromiumSimulcastPublisher() throws {
        let run = try NegotiationRun(try NegotiationOffers.fixture("chromium-simulcast"), role: .publisher)
        let media = try run.media("0")
        #expect(media.kind == .video)
        // VP8 first, then both packetization-mode=1 H.264 ids (42001f, 42e01f), then VP9 profile 0.
        // Refused: H.264 mode 0 (104, 114, 39), Main 4d001f (116), AV1 (45), VP9 profile 2 (100),
        // red (118), ulpfec (120).
        #expect(media.codecs.map(\.payloadType) == [96, 102, 108, 98])
        #expect(media.codecs.map(\.kind) == [.vp8, .h264, .h264, .vp9])
        #expect(media.codecs.map(\.rtxPayloadType) == [97, 103, 109, 99])
        #expect(media.codecs.allSatisfy { $0.feedback == [.nack, .pli, .fir, .remb, .transportCC] })
        #expect(media.codecs[1].fmtp == "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f")
        #expect(media.simulcastRIDs == ["q", "h", "f"])
        #expect(
            media.extensions
                == HeaderExtensionMap(mid: 9, rid: 10, repairedRID: 11, absSendTime: 2, transportCC: 4))
        // Chromium signals simulcast by RID only: no a=ssrc lines.
        #expect(media.remoteSSRC == nil && media.remoteRTXSSRC == nil)
        #expect(media.localSSRC == nil)
        #expect(run.session.remoteUfrag == "l5kY")
        #expect(run.session.remotePassword == "bondEhM7hX7sYvWwOp/jDE6y")
        #expect(
            run.session.remoteFingerprint
                == "sha-256 16:6E:80:B8:45:36:61:B7:42:8F:BC:B3:A6:CA:4F:58:BF:9F:F3:D4:0A:88:B7:A0:5A:79:E1:AE:15:9E:55:FC"
        )
        #expect(run.session.weAreDTLSServer)

        let section = try run.section("0")
        #expect(section.direction == .receiveOnly)
        #expect(section.mediaLine.payloadTypes == [96, 97, 102, 103, 108, 109, 98, 99])
        #expect(section.simulcast == Simulcast(receive: [[.init(rid: "q")], [.init(rid: "h")], [.init(rid: "f")]]))
        #expect(section.rids.map(\.id) == ["q", "h", "f"])
        #expect(section.rids.allSatisfy { $0.direction == .receive })
        #expect(section.setupRole == .passive)
        #expect(section.attributes.contains(.rtcpReducedSize))
        #expect(Set(section.extensionMaps.map(\.uri)).count == 5)
        #expect(section.extensionMaps.allSatisfy { $0.uri != "urn:3gpp:video-orientation" })
        #expect(run.answer.attributes.contains(.iceLite))
        #expect(run.answer.bundleMIDs == ["0"])
        #expect(run.answer.attributes.contains(.extmapAllowMixed))
    }

    /// Chromium's audio+video offer (sendrecv), answered as a WHIP publisher.
    @Test func chromiumAudioVideoPublisher() throws {
        let run = try NegotiationRun(try NegotiationOffers.fixture("chromium-audio-video"), role: .publisher)
        let audio = try run.media("0")
        #expect(audio.codecs.map(\.payloadType) == [111])
        #expect(audio.codecs[0].channels == 2 && audio.codecs[0].clockRate == 48_000)
        #expect(audio.codecs[0].feedback == [.transportCC])
        #expect(audio.codecs[0].fmtp == "minptime=10;useinbandfec=1")
        #expect(audio.extensions == HeaderExtensionMap(mid: 4, absSendTime: 2, transportCC: 3, audioLevel: 1))
        #expect(audio.remoteSSRC == 1_834_161_584 && audio.remoteRTXSSRC == nil)
        let video = try run.media("1")
        #expect(video.remoteSSRC == 2_794_187_120 && video.remoteRTXSSRC == 3_032_720_597)
        #expect(video.simulcastRIDs.isEmpty)
        #expect(run.answer.bundleMIDs == ["0", "1"])
        #expect(run.answer.media.allSatisfy { $0.direction == .receiveOnly })
        // Red and comfort noise are not echoed in the audio answer.
        #expect(try run.section("0").mediaLine.payloadTypes == [111])
    }

    /// The same offer answered as a WHEP viewer: every mutual codec, no transport-cc, our SSRCs.
    @Test func chromiumAudioVideoViewer() throws {
        let run = try NegotiationRun(try NegotiationOffers.fixture("chromium-audio-video"), role: .viewer)
        let audio = try run.media("0")
        let video = try run.media("1")
        #expect(video.codecs.map(\.payloadType) == [96, 102, 108, 98])
        #expect(
            run.session.media.allSatisfy { media in
                media.codecs.allSatisfy { !$0.feedback.contains(.transportCC) }
            })
        #expect(video.codecs[0].feedback == [.nack, .pli, .fir, .remb])
        #expect(audio.codecs[0].feedback == [])
        #expect(video.extensions == HeaderExtensionMap(mid: 4, absSendTime: 2))
        #expect(audio.extensions == HeaderExtensionMap(mid: 4, absSendTime: 2, audioLevel: 1))
        // Audio has no RTX, so one SSRC; video gets a media and an RTX SSRC, in section order.
        #expect(run.issuedSSRCs.count == 3)
        #expect(audio.localSSRC == run.issuedSSRCs[0] && audio.localRTXSSRC == nil)
        #expect(video.localSSRC == run.issuedSSRCs[1] && video.localRTXSSRC == run.issuedSSRCs[2])

        let videoSection = try run.section("1")
        #expect(videoSection.direction == .sendOnly)
        #expect(videoSection.msids == [MediaStreamID(streamID: "cam1", trackID: "video")])
        #expect(try run.section("0").msids == [MediaStreamID(streamID: "cam1", trackID: "audio")])
        #expect(
            videoSection.ssrcGroups == [SSRCGroup(semantics: "FID", ssrcs: [run.issuedSSRCs[1], run.issuedSSRCs[2]])])
        #expect(
            videoSection.ssrcAttributes.contains(SSRCAttribute(ssrc: run.issuedSSRCs[1], name: "cname", value: "cam1")))
        #expect(videoSection.rtcpFeedback.allSatisfy { $0.type != "transport-cc" })
        #expect(!run.session.answer.contains("transport-wide-cc"))
        #expect(!run.session.answer.contains("transport-cc"))
    }

    /// aiortc's sendonly publisher: Opus among G.722/PCMU/PCMA, VP8 and two H.264 with RTX,
    /// three fingerprints, no rtcp-rsize and no ccm fir.
    @Test func aiortcPublisher() throws {
        let run = try NegotiationRun(try NegotiationOffers.fixture("aiortc-sendonly"), role: .publisher)
        let audio = try run.media("0")
        #expect(audio.codecs.map(\.payloadType) == [96])
        #expect(audio.remoteSSRC == 2_085_923_946)
        #expect(audio.extensions == HeaderExtensionMap(mid: 1, audioLevel: 2))
        let video = try run.media("1")
        #expect(video.codecs.map(\.payloadType) == [97, 99, 101])
        #expect(video.codecs.map(\.rtxPayloadType) == [98, 100, 102])
        #expect(video.codecs.allSatisfy { $0.feedback == [.nack, .pli, .remb] })
        #expect(video.remoteSSRC == 120_269_026 && video.remoteRTXSSRC == 1_132_483_011)
        #expect(run.session.remoteUfrag == "Kb3z")
        #expect(run.session.remoteFingerprint.hasPrefix("sha-256 BD:2C:FC:29"))
        #expect(run.answer.media.allSatisfy { !$0.attributes.contains(.rtcpReducedSize) })
        #expect(!run.answer.attributes.contains(.extmapAllowMixed))
    }

    /// aiortc's sendrecv offer answered as a viewer.
    @Test func aiortcViewer() throws {
        let run = try NegotiationRun(try NegotiationOffers.fixture("aiortc-sendrecv"), role: .viewer)
        #expect(run.session.media.map(\.mid) == ["0", "1"])
        #expect(try run.media("1").codecs.map(\.kind) == [.vp8, .h264, .h264])
        #expect(try run.media("1").extensions == HeaderExtensionMap(mid: 1, absSendTime: 3))
        #expect(run.answer.media.allSatisfy { $0.direction == .sendOnly })
    }

    /// Every fixture, in every role its directions allow, gives an answer that parses, echoes
    /// each mid in offer order, and bundles exactly the accepted mids.
    @Test(arguments: [
        ("chromium-simulcast", NegotiationRole.publisher), ("chromium-audio-video", .publisher),
        ("chromium-audio-video", .viewer), ("aiortc-sendonly", .publisher), ("aiortc-sendrecv", .publisher),
        ("aiortc-sendrecv", .viewer),
    ])
    func answersEchoMIDsAndBundle(name: String, role: NegotiationRole) throws {
        let offer = try SessionDescription(parsing: try NegotiationOffers.fixture(name))
        let run = try NegotiationRun(try NegotiationOffers.fixture(name), role: role)
        #expect(run.answer.media.map(\.mid) == offer.media.map(\.mid))
        #expect(run.answer.media.map(\.mediaLine.media) == offer.media.map(\.mediaLine.media))
        #expect(run.answer.bundleMIDs == run.session.media.map(\.mid))
        for section in run.answer.media {
            #expect(section.iceUfrag == "Mesh" && section.icePwd == "n0deP4ssw0rdF0rTesting")
            #expect(section.fingerprints.map { "\($0.hashFunction) \($0.hexDigest)" } == [NegotiationLocal.fingerprint])
            #expect(section.isRTCPMuxed && section.hasEndOfCandidates)
            #expect(section.candidates.count == 2)
        }
    }

    /// A sendonly offer cannot view and a simulcast sender cannot view.
    @Test(arguments: ["aiortc-sendonly", "chromium-simulcast"])
    func sendOnlyFixturesCannotView(name: String) throws {
        let error = negotiationError(try NegotiationOffers.fixture(name), role: .viewer)
        guard case .wrongDirection(let detail) = error else {
            Issue.record("expected wrongDirection, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("sendonly"))
    }
}
