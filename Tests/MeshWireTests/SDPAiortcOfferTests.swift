import Testing

@testable import MeshWire

/// Fields of the aiortc 1.16 captures (scripts/fixtures/aiortc_offer.py).
@Suite struct SDPAiortcOfferTests {
    @Test func sendrecvOffer() throws {
        let offer = try SDPFixtures.description("aiortc-sendrecv")
        #expect(offer.bundleMIDs == ["0", "1"])
        // a=msid-semantic:WMS *
        #expect(offer.attributes.contains(.msidSemantic(MSIDSemantic(semantic: "WMS", identifiers: ["*"]))))
        #expect(offer.media.map(\.direction) == [.sendReceive, .sendReceive])
        let audio = try #require(offer.media(withMID: "0"))
        #expect(audio.mediaLine.payloadTypes == [96, 9, 0, 8])
        #expect(audio.rtpMap(for: 0) == RTPMap(payloadType: 0, encodingName: "PCMU", clockRate: 8000))
        // aiortc offers three fingerprints per section: sha-256, sha-384, sha-512.
        #expect(audio.fingerprints.map(\.hashFunction) == ["sha-256", "sha-384", "sha-512"])
        #expect(audio.fingerprints.map(\.digest.count) == [32, 48, 64])
        #expect(audio.hasEndOfCandidates)
        #expect(audio.candidates.allSatisfy { $0.kind == .host && $0.transport == "udp" })
        #expect(rtcpAddress(of: audio) == RTCPAddress(port: 9, connection: SDPConnection(address: "0.0.0.0")))
        let video = try #require(offer.media(withMID: "1"))
        #expect(video.formatParameters(for: 99)?["packetization-mode"] == "1")
        #expect(video.ssrcGroups.first?.semantics == "FID")
    }

    @Test func sendonlyOffer() throws {
        let offer = try SDPFixtures.description("aiortc-sendonly")
        #expect(offer.media.map(\.direction) == [.sendOnly, .sendOnly])
        let raw = try #require(try SDPFixtures.rawAttribute("ice-ufrag", in: "aiortc-sendonly"))
        #expect(offer.media.allSatisfy { $0.iceUfrag == raw })
    }
}

/// The section's `a=rtcp` (RFC 3605), which only this test reads.
private func rtcpAddress(of media: MediaDescription) -> RTCPAddress? {
    media.attributes.lazy.compactMap { if case .rtcp(let address) = $0 { address } else { nil } }.first
}
