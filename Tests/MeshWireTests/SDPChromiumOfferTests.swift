import Testing

@testable import MeshWire

/// Fields of the Chromium 156 captures (scripts/fixtures/chromium_offer.sh).
@Suite struct SDPChromiumOfferTests {
    @Test func audioVideoBundleAndMids() throws {
        let offer = try SDPFixtures.description("chromium-audio-video")
        #expect(offer.bundleMIDs == ["0", "1"])
        #expect(offer.media.map(\.mid) == ["0", "1"])
        #expect(offer.media.map(\.mediaLine.media) == ["audio", "video"])
        #expect(offer.media.map(\.mediaLine.proto) == ["UDP/TLS/RTP/SAVPF", "UDP/TLS/RTP/SAVPF"])
        #expect(offer.attributes.contains(.extmapAllowMixed))
        #expect(offer.media.allSatisfy { $0.isRTCPMuxed && $0.direction == .sendReceive })
    }

    @Test func audioCodecs() throws {
        let audio = try #require(try SDPFixtures.description("chromium-audio-video").media(withMID: "0"))
        // m=audio ... 111 63 9 0 8 13 110 126
        #expect(audio.mediaLine.payloadTypes == [111, 63, 9, 0, 8, 13, 110, 126])
        #expect(audio.rtpMap(for: 111) == RTPMap(payloadType: 111, encodingName: "opus", clockRate: 48000, channels: 2))
        #expect(audio.rtpMap(for: 63) == RTPMap(payloadType: 63, encodingName: "red", clockRate: 48000, channels: 2))
        // a=fmtp:111 minptime=10;useinbandfec=1, in order.
        #expect(
            audio.formatParameters(for: 111)?.parameters == [
                .init(name: "minptime", value: "10"), .init(name: "useinbandfec", value: "1"),
            ])
        // a=fmtp:63 111/111 is RED's redundancy list, a bare value.
        #expect(audio.formatParameters(for: 63)?.parameters == [.init(name: "111/111")])
    }

    @Test func videoCodecsAndRetransmission() throws {
        let video = try #require(try SDPFixtures.description("chromium-audio-video").media(withMID: "1"))
        #expect(video.rtpMap(for: 96)?.encodingName == "VP8")
        #expect(video.rtpMap(for: 97)?.encodingName == "rtx")
        #expect(video.formatParameters(for: 97)?["apt"] == "96")
        #expect(video.rtpMap(for: 45)?.encodingName == "AV1")
        #expect(video.formatParameters(for: 102)?["profile-level-id"] == "42001f")
        #expect(
            video.rtcpFeedback.filter { $0.formats == .payloadType(96) }.map(\.type)
                == ["goog-remb", "transport-cc", "ccm", "nack", "nack"])
        #expect(video.rtcpFeedback.contains(RTCPFeedback(formats: .payloadType(96), type: "nack", parameter: "pli")))
        // a=ssrc-group:FID 2794187120 3032720597
        #expect(video.ssrcGroups == [SSRCGroup(semantics: "FID", ssrcs: [2_794_187_120, 3_032_720_597])])
        #expect(
            video.ssrcAttributes.first == SSRCAttribute(ssrc: 2_794_187_120, name: "cname", value: "ksv771yPEFko7RMK"))
    }

    @Test func fingerprintMatchesTheCapturedHex() throws {
        let offer = try SDPFixtures.description("chromium-audio-video")
        let raw = try #require(try SDPFixtures.rawAttribute("fingerprint", in: "chromium-audio-video"))
        let fingerprint = try #require(offer.media.first?.fingerprints.first)
        #expect(fingerprint.hashFunction == "sha-256")
        #expect(fingerprint.digest.count == 32)
        #expect(fingerprint.digest.first == 0x51 && fingerprint.digest.last == 0x0B)
        #expect("sha-256 " + fingerprint.hexDigest == raw)
        #expect(offer.media.first?.setupRole == .activeOrPassive)
    }

    @Test func hostCandidates() throws {
        let audio = try #require(try SDPFixtures.description("chromium-audio-video").media.first)
        // a=candidate:194190755 1 tcp 1518214911 192.0.2.2 9 typ host tcptype active generation 0 network-id 1
        #expect(audio.candidates.count == 4)
        let tcp = try #require(audio.candidates.first { $0.transport == "tcp" })
        #expect(tcp.foundation == "194190755")
        #expect(tcp.component == 1)
        #expect(tcp.priority == 1_518_214_911)
        #expect(tcp.address == "192.0.2.2" && tcp.port == 9)
        #expect(tcp.kind == .host)
        #expect(tcp.tcpType == "active")
        #expect(tcp.extensions == [.init(name: "generation", value: "0"), .init(name: "network-id", value: "1")])
        #expect(audio.candidates.contains { $0.address == "fd00::2" })
    }

    @Test func simulcastOffer() throws {
        let offer = try SDPFixtures.description("chromium-simulcast")
        #expect(offer.bundleMIDs == ["0"])
        let video = try #require(offer.media.first)
        #expect(offer.media.count == 1)
        #expect(video.direction == .sendOnly)
        // a=rid:q send / a=rid:h send / a=rid:f send
        #expect(video.rids == ["q", "h", "f"].map { RIDDescription(id: $0, direction: .send) })
        // a=simulcast:send q;h;f: three streams, one RID each, none paused.
        #expect(video.simulcast == Simulcast(send: [[.init(rid: "q")], [.init(rid: "h")], [.init(rid: "f")]]))
        #expect(
            video.extensionMaps.contains(ExtensionMap(id: 10, uri: "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id")))
        #expect(video.msids == [MediaStreamID(streamID: "-", trackID: "245bb5d9-a70f-40e9-a8d2-71a18632d223")])
        #expect(video.otherAttributes(named: "rtcp-xr") == ["rcvr-rtt=all"])
    }
}
