import Foundation
import MeshCluster
import MeshCrypto
import MeshRTC
import Testing

@Suite("Relay link set-up: keys and API bodies")
struct RelayLinkSetupTests {
    @Test("fresh keys are AEAD_AES_128_GCM sized (RFC 7714 §14.2) and differ per direction and per link")
    func freshKeys() {
        let first = RelayLinkKeys.generate()
        let second = RelayLinkKeys.generate()
        for key in [first.downstream, first.upstream, second.downstream, second.upstream] {
            #expect(key.profile == .aeadAES128GCM && key.key.count == 16 && key.salt.count == 12)
        }
        #expect(first.downstream != first.upstream)
        #expect(first != second)
    }

    @Test("the set-up request survives JSON with the keys as base64url (RFC 4648 §5)")
    func requestRoundTrip() throws {
        let request = RelayLinkSetupRequest(
            downstreamNode: "edge-eu-1", downstreamAddress: RelayLinkAddress(host: "127.0.0.1", port: 40_001),
            keys: RelayLinkTestKeys.keys(seed: 9))
        let json = try JSONEncoder().encode(request)
        #expect(try JSONDecoder().decode(RelayLinkSetupRequest.self, from: json) == request)
        let text = String(decoding: json, as: UTF8.self)
        // Key bytes 9*31+1+0 ... as base64url: the first key starts with 0x18 0x19 0x1A → "GBka".
        #expect(text.contains("\"key\":\"GBka"))
        let response = RelayLinkSetupResponse(
            linkID: "l-1", upstreamNode: "relay-1", upstreamAddress: RelayLinkAddress(host: "::1", port: 40_002),
            keys: request.keys)
        #expect(try JSONDecoder().decode(RelayLinkSetupResponse.self, from: JSONEncoder().encode(response)) == response)
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

    @Test("keys of the wrong length or not base64url are rejected")
    func badKeys() {
        let short =
            #"{"downstream":{"key":"AAAA","salt":"AAAAAAAAAAAAAAAA"},"upstream":{"key":"AAAAAAAAAAAAAAAAAAAAAA","salt":"AAAAAAAAAAAAAAAA"}}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RelayLinkKeys.self, from: Data(short.utf8)) }
        let notBase64 =
            #"{"downstream":{"key":"!!!!AAAAAAAAAAAAAAAAAA","salt":"AAAAAAAAAAAAAAAA"},"upstream":{"key":"AAAAAAAAAAAAAAAAAAAAAA","salt":"AAAAAAAAAAAAAAAA"}}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RelayLinkKeys.self, from: Data(notBase64.utf8)) }
        let good =
            #"{"downstream":{"key":"AAAAAAAAAAAAAAAAAAAAAA","salt":"AAAAAAAAAAAAAAAA"},"upstream":{"key":"AAAAAAAAAAAAAAAAAAAAAA","salt":"AAAAAAAAAAAAAAAA"}}"#
        #expect(throws: Never.self) { try JSONDecoder().decode(RelayLinkKeys.self, from: Data(good.utf8)) }
    }
}
