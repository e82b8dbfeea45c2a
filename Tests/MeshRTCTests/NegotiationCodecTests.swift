import MeshRTC
import MeshWire
import Testing

/// Codec, RTX and feedback rules, on hand-written offers.
@Suite struct NegotiationCodecTests {
    /// H.264: packetization-mode=1 and a constrained-baseline-compatible profile-level-id
    /// (RFC 6184 §8.1; profile_idc 0x42, 0x4D with constraint_set0, 0x58 with set0+set1).
    @Test func h264NeedsModeOneAndConstrainedBaseline() throws {
        let lines = """
            a=rtpmap:100 H264/90000
            a=fmtp:100 packetization-mode=0;profile-level-id=42e01f
            a=rtpmap:101 H264/90000
            a=fmtp:101 packetization-mode=1;profile-level-id=640c1f
            a=rtpmap:102 H264/90000
            a=fmtp:102 packetization-mode=1;profile-level-id=4d001f
            a=rtpmap:103 H264/90000
            a=fmtp:103 packetization-mode=1;profile-level-id=42e01f
            a=rtpmap:104 H264/90000
            a=fmtp:104 packetization-mode=1;profile-level-id=42C01F
            a=rtpmap:105 H264/90000
            a=fmtp:105 packetization-mode=1;profile-level-id=4d801f
            a=rtpmap:106 H264/90000
            a=fmtp:106 packetization-mode=1
            a=rtpmap:107 H264/90000
            a=fmtp:107 packetization-mode=1;profile-level-id=42zz1f
            a=rtpmap:108 h264/90000
            a=fmtp:108 packetization-mode=1;profile-level-id=42001f
            a=rtpmap:109 H264/90000
            """
        let offer = NegotiationOffers.offer(
            group: "a=group:BUNDLE 1",
            NegotiationOffers.video(payloadTypes: "100 101 102 103 104 105 106 107 108 109", lines))
        let run = try NegotiationRun(offer, role: .publisher)
        // 106 has no profile-level-id: Baseline level 1 by RFC 6184 §8.1's default. 108 is
        // written in lower case, which encoding names allow (RFC 4855 §3). 109 has no fmtp, so
        // mode 0.
        #expect(try run.media("1").codecs.map(\.payloadType) == [103, 104, 105, 106, 108])
        #expect(try run.section("1").mediaLine.payloadTypes == [103, 104, 105, 106, 108])
    }

    /// VP9 profile 0 only; Opus only as opus/48000/2; VP8 at 90 kHz only.
    @Test func vp9ProfileZeroOpusStereoVP8At90k() throws {
        let video = NegotiationOffers.video(
            payloadTypes: "98 100 101 96",
            """
            a=rtpmap:98 VP9/90000
            a=fmtp:98 profile-id=2
            a=rtpmap:100 VP9/90000
            a=rtpmap:101 VP8/48000
            a=rtpmap:96 VP9/90000
            a=fmtp:96 profile-id=0
            """)
        let audio = """
            m=audio 9 UDP/TLS/RTP/SAVPF 110 111
            c=IN IP4 0.0.0.0
            a=mid:0
            a=sendonly
            a=rtcp-mux
            a=rtpmap:110 opus/48000/1
            a=rtpmap:111 OPUS/48000/2
            """
        let run = try NegotiationRun(NegotiationOffers.offer(audio, video), role: .publisher)
        #expect(try run.media("1").codecs.map(\.payloadType) == [100, 96])
        #expect(try run.media("0").codecs.map(\.payloadType) == [111])
    }

    /// RTX is kept only for an accepted codec with the same clock rate (RFC 4588 §8.6).
    @Test func rtxOnlyForAcceptedCodecs() throws {
        let video = NegotiationOffers.video(
            payloadTypes: "96 97 45 46 98 99",
            """
            a=rtpmap:96 VP8/90000
            a=rtpmap:97 rtx/90000
            a=fmtp:97 apt=96
            a=rtpmap:45 AV1/90000
            a=rtpmap:46 rtx/90000
            a=fmtp:46 apt=45
            a=rtpmap:98 rtx/90000
            a=fmtp:98 apt=120
            a=rtpmap:99 rtx/48000
            a=fmtp:99 apt=96
            """)
        let run = try NegotiationRun(NegotiationOffers.offer(group: "a=group:BUNDLE 1", video), role: .publisher)
        #expect(try run.media("1").codecs.map(\.rtxPayloadType) == [97])
        let section = try run.section("1")
        #expect(section.mediaLine.payloadTypes == [96, 97])
        #expect(section.formatParameters(for: 97)?["apt"] == "96")
        #expect(section.rtpMap(for: 46) == nil && section.rtpMap(for: 99) == nil)
    }

    /// Without RTX in the capabilities, no RTX payload type is answered.
    @Test func rtxCanBeTurnedOff() throws {
        let offer = try NegotiationOffers.fixture("aiortc-sendonly")
        let capabilities = MediaCapabilities(codecs: [.opus, .vp8, .h264], retransmission: false)
        let run = try NegotiationRun(offer, role: .publisher, capabilities: capabilities)
        #expect(try run.media("1").codecs.allSatisfy { $0.rtxPayloadType == nil })
        #expect(try run.section("1").rtpMaps.allSatisfy { $0.encodingName != "rtx" })
    }

    /// The capabilities' order is the answer's preference order; left-out codecs are refused.
    @Test func capabilitiesOrderAndFilter() throws {
        let video = NegotiationOffers.video(
            direction: "recvonly", payloadTypes: "96 98 102",
            """
            a=rtpmap:96 VP8/90000
            a=rtpmap:98 VP9/90000
            a=rtpmap:102 H264/90000
            a=fmtp:102 packetization-mode=1;profile-level-id=42e01f
            """)
        let offer = NegotiationOffers.offer(group: "a=group:BUNDLE 1", video)
        let run = try NegotiationRun(offer, role: .viewer, capabilities: MediaCapabilities(codecs: [.vp9, .vp8]))
        #expect(try run.media("1").codecs.map(\.kind) == [.vp9, .vp8])
        #expect(try run.section("1").mediaLine.payloadTypes == [98, 96])
    }

    /// Feedback: publisher side keeps nack, nack pli, ccm fir, goog-remb, transport-cc; viewer
    /// side drops transport-cc; unknown kinds are dropped; `*` applies to every payload type
    /// (RFC 4585 §4.2).
    @Test(arguments: [
        (NegotiationRole.publisher, "sendonly", RTCPFeedbackSet([.nack, .pli, .fir, .remb, .transportCC])),
        (NegotiationRole.viewer, "recvonly", RTCPFeedbackSet([.nack, .pli, .fir, .remb])),
    ])
    func feedbackPerRole(role: NegotiationRole, direction: String, expected: RTCPFeedbackSet) throws {
        let video = NegotiationOffers.video(
            direction: direction, payloadTypes: "96",
            """
            a=rtpmap:96 VP8/90000
            a=rtcp-fb:96 goog-remb
            a=rtcp-fb:96 transport-cc
            a=rtcp-fb:96 ccm fir
            a=rtcp-fb:96 ccm tmmbr
            a=rtcp-fb:96 nack rpsi
            a=rtcp-fb:* nack
            a=rtcp-fb:96 nack pli
            """)
        let run = try NegotiationRun(NegotiationOffers.offer(group: "a=group:BUNDLE 1", video), role: role)
        #expect(try run.media("1").codecs[0].feedback == expected)
        let answered = try run.section("1").rtcpFeedback
        #expect(answered.count == 5 - (expected.contains(.transportCC) ? 0 : 1))
        #expect(answered.allSatisfy { $0.formats == .payloadType(96) })
        #expect(!answered.contains { $0.parameter == "tmmbr" || $0.parameter == "rpsi" })
    }
}
