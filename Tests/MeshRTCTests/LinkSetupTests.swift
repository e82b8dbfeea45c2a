import Foundation
import MeshCluster
import MeshCrypto
import MeshRTC
import Testing

@Suite("Relay link set-up: keys and API bodies")
struct LinkSetupTests {
    static let secret = Array("cluster secret of the relay-link tests".utf8)
    static let edge = LinkAddress(host: "127.0.0.1", port: 40_001)
    static let relay = LinkAddress(host: "::1", port: 40_002)

    static func request(keys: LinkKeys = LinkTestKeys.keys(seed: 9)) -> LinkSetupRequest {
        LinkSetupRequest(downstreamNode: "edge-eu-1", upstreamNode: "relay-1", downstreamAddress: edge, keys: keys)
    }

    @Test("fresh keys are AEAD_AES_128_GCM sized (RFC 7714 §14.2) and differ per direction and per link")
    func freshKeys() {
        let first = LinkKeys.generate()
        let second = LinkKeys.generate()
        for key in [first.downstream, first.upstream, second.downstream, second.upstream] {
            #expect(key.profile == .aeadAES128GCM && key.key.count == 16 && key.salt.count == 12)
        }
        #expect(first.downstream != first.upstream)
        #expect(first != second)
    }

    @Test("the set-up request and answer survive JSON with their keys sealed, and name no key in clear")
    func sealedRoundTrip() throws {
        let seal = try LinkKeySeal(clusterSecret: Self.secret)
        let request = Self.request()
        let json = try JSONEncoder().encode(SealedLinkSetupRequest(sealing: request, with: seal))
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains(#""sealedKeys":{"#) && text.contains(#""version":1"#))
        // Key bytes 9*31+1+0 ... as base64url: the first key starts with 0x18 0x19 0x1A → "GBka".
        #expect(!text.contains("GBka"))
        let decoded = try JSONDecoder().decode(SealedLinkSetupRequest.self, from: json)
        #expect(try decoded.opened(with: seal) == request)

        let response = LinkSetupResponse(
            linkID: "l-1", upstreamNode: "relay-1", upstreamAddress: Self.relay, keys: request.keys)
        let answer = try JSONDecoder().decode(
            SealedLinkSetupResponse.self,
            from: JSONEncoder().encode(SealedLinkSetupResponse(sealing: response, to: "edge-eu-1", with: seal)))
        #expect(try answer.opened(by: "edge-eu-1", with: seal) == response)

        let record = StreamRecord(
            name: "cam", originNode: "origin-1",
            tracks: [
                MeshTrack(
                    trackID: "0", kind: .audio, ssrc: 0x0A0A_0001, codec: "opus", payloadType: 111, clockRate: 48_000),
                MeshTrack(trackID: "1", kind: .video, ssrc: 7, codec: "VP8", payloadType: 96, clockRate: 90_000),
            ], startedAt: 1_700_000_000_000)
        let subscription = RelaySubscriptionRequest(record: record)
        #expect(subscription.tracks == [0x0A0A_0001, 7])
        #expect(
            try JSONDecoder().decode(RelaySubscriptionRequest.self, from: JSONEncoder().encode(subscription))
                == subscription)
    }

    // RFC 5116 §2.1: the associated data binds the box to its message. A box lifted into
    // another request, the answer, or sealed with another cluster secret does not open.
    @Test("sealed keys open only in the message they were sealed for")
    func sealedKeysAreBoundToTheirContext() throws {
        let seal = try LinkKeySeal(clusterSecret: Self.secret)
        let request = Self.request()
        let sealed = try SealedLinkSetupRequest(sealing: request, with: seal)

        var otherDownstream = sealed
        otherDownstream.downstreamNode = "edge-eu-2"
        var otherUpstream = sealed
        otherUpstream.upstreamNode = "relay-2"
        var otherAddress = sealed
        otherAddress.downstreamAddress.port += 1
        for moved in [otherDownstream, otherUpstream, otherAddress] {
            #expect(throws: SealedKeysError.self) { try moved.opened(with: seal) }
        }
        let stranger = try LinkKeySeal(clusterSecret: Array("another cluster secret".utf8))
        #expect(throws: SealedKeysError.self) { try sealed.opened(with: stranger) }

        // The request's box in an answer: another purpose, so it does not open there either.
        let answer = SealedLinkSetupResponse(
            try SealedLinkSetupResponse(
                sealing: LinkSetupResponse(
                    linkID: "l-1", upstreamNode: "relay-1", upstreamAddress: Self.relay, keys: request.keys),
                to: "edge-eu-1", with: seal),
            sealedKeys: sealed.sealedKeys)
        #expect(throws: SealedKeysError.self) { try answer.opened(by: "edge-eu-1", with: seal) }

        let good = try SealedLinkSetupResponse(
            sealing: LinkSetupResponse(
                linkID: "l-1", upstreamNode: "relay-1", upstreamAddress: Self.relay, keys: request.keys),
            to: "edge-eu-1", with: seal)
        var otherLink = good
        otherLink.linkID = "l-2"
        var otherSender = good
        otherSender.upstreamAddress.host = "10.0.0.9"
        for moved in [otherLink, otherSender] {
            #expect(throws: SealedKeysError.self) { try moved.opened(by: "edge-eu-1", with: seal) }
        }
        #expect(throws: SealedKeysError.self) { try good.opened(by: "edge-eu-9", with: seal) }
    }

    // An independent implementation: Python's `cryptography` (OpenSSL underneath, but its own
    // HKDF and AESGCM wrappers) sealed LinkTestKeys.keys(seed: 9) for this request:
    //   key = HKDF(SHA256(), 32, salt=None, info=b"meshcast relay-link keys v1").derive(secret)
    //   aad = b"".join(len(p).to_bytes(4, "big") + p for p in
    //         [b"meshcast relay-link keys v1", b"request", b"edge-eu-1", b"relay-1", b"127.0.0.1", b"40001"])
    //   box = nonce + AESGCM(key).encrypt(nonce := bytes(range(12)), material, aad)
    @Test("a box sealed by Python's cryptography (RFC 5869 HKDF, RFC 5116 AES-256-GCM) opens to the same keys")
    func independentlySealedBoxOpens() throws {
        let json = """
            {"downstreamNode": "edge-eu-1", "upstreamNode": "relay-1",
             "downstreamAddress": {"host": "127.0.0.1", "port": 40001},
             "sealedKeys": {"version": 1, "box": "AAECAwQFBgcICQoLg4kgDj9oEJBPlCDRNmcPtLORlC1sY5vU2mCetXi-WBDtdQ\
            KXgrHpVvhTrNlcZRxETZSmHhowTFD9L_3QtoP5LmSDOUPdVG-8"}}
            """
        let sealed = try JSONDecoder().decode(SealedLinkSetupRequest.self, from: Data(json.utf8))
        let opened = try sealed.opened(with: LinkKeySeal(clusterSecret: Self.secret))
        #expect(opened == Self.request())
    }

    @Test("a flipped bit anywhere in the box, a wrong version or a box that is not base64url is refused")
    func tamperedOrMalformedBoxesAreRefused() throws {
        let seal = try LinkKeySeal(clusterSecret: Self.secret)
        let sealed = try SealedLinkSetupRequest(sealing: Self.request(), with: seal)
        let box = try #require(Base64URL.decode(sealed.sealedKeys.box))
        #expect(box.count == 12 + 56 + 16)
        for index in box.indices {
            var tampered = box
            tampered[index] ^= 0x80
            var moved = sealed
            moved.sealedKeys.box = Base64URL.encode(tampered)
            #expect(throws: SealedKeysError.self) { try moved.opened(with: seal) }
        }
        var later = sealed
        later.sealedKeys.version = 2
        #expect(throws: SealedKeysError.self) { try later.opened(with: seal) }
        for text in ["", "!!!!", "AAAA", sealed.sealedKeys.box + "A", String(sealed.sealedKeys.box.dropLast())] {
            var garbled = sealed
            garbled.sealedKeys.box = text
            #expect(throws: SealedKeysError.self) { try garbled.opened(with: seal) }
        }
    }

    @Test("keys in clear, the format before sealing, are not a set-up request any more")
    func clearKeysAreNotAccepted() {
        let clear = """
            {"downstreamNode":"edge-eu-1","upstreamNode":"relay-1","downstreamAddress":{"host":"127.0.0.1","port":1},\
            "keys":{"downstream":{"key":"AAAAAAAAAAAAAAAAAAAAAA","salt":"AAAAAAAAAAAAAAAA"},\
            "upstream":{"key":"AAAAAAAAAAAAAAAAAAAAAA","salt":"AAAAAAAAAAAAAAAA"}}}
            """
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(SealedLinkSetupRequest.self, from: Data(clear.utf8))
        }
    }
}

extension SealedLinkSetupResponse {
    /// `answer` carrying other sealed keys (a box moved in from elsewhere).
    fileprivate init(_ answer: SealedLinkSetupResponse, sealedKeys: SealedLinkKeys) {
        self = answer
        self.sealedKeys = sealedKeys
    }
}
