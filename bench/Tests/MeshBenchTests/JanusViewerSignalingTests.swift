import MeshCrypto
import MeshRTC
import MeshWire
import Testing

@testable import MeshBench

/// The streaming plugin's offer for an Opus + VP8 RTP mountpoint, captured from janus 1.1.2
/// (Debian 12 package 1.1.2-1) with the config `JanusConfig` writes: `POST watch` then the
/// long-poll's `jsep.sdp`. ICE Lite, half trickle, one host candidate on the enforced address.
private let capturedOffer =
    "v=0\r\no=- 1795326231955868 1 IN IP4 192.0.2.2\r\ns=Mountpoint 1\r\nt=0 0\r\na=group:BUNDLE a v\r\n"
    + "a=ice-options:trickle\r\n"
    + "a=fingerprint:sha-256 79:9E:78:14:2D:2B:23:82:C5:39:18:78:93:27:41:D0:81:1D:40:48:6B:34:FF:A4:2B:95:D9:B2:19:FF:01:91\r\n"
    + "a=extmap-allow-mixed\r\na=msid-semantic: WMS *\r\na=ice-lite\r\n"
    + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 192.0.2.2\r\na=sendonly\r\na=mid:a\r\na=rtcp-mux\r\n"
    + "a=ice-ufrag:qTsR\r\na=ice-pwd:w1z5a5lStvfefLoL+WS+9w\r\na=ice-options:trickle\r\na=setup:actpass\r\n"
    + "a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\na=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    + "a=msid:janus janusa\r\na=ssrc:3140952743 cname:janus\r\n"
    + "a=candidate:1 1 udp 2015363327 192.0.2.2 41681 typ host\r\na=end-of-candidates\r\n"
    + "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 192.0.2.2\r\na=sendonly\r\na=mid:v\r\na=rtcp-mux\r\n"
    + "a=ice-ufrag:qTsR\r\na=ice-pwd:w1z5a5lStvfefLoL+WS+9w\r\na=ice-options:trickle\r\na=setup:actpass\r\n"
    + "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 ccm fir\r\na=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\n"
    + "a=rtcp-fb:96 goog-remb\r\na=rtcp-fb:96 transport-cc\r\n"
    + "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
    + "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"
    + "a=ssrc-group:FID 3750774481 2563471542\r\na=msid:janus janusv\r\n"
    + "a=ssrc:3750774481 cname:janus\r\na=ssrc:2563471542 cname:janus\r\n"
    + "a=candidate:1 1 udp 2015363327 192.0.2.2 41681 typ host\r\na=end-of-candidates\r\n"

@Suite("JanusViewerSignaling")
struct JanusViewerSignalingTests {
    @Test("Janus's offer gives the viewer its remote credentials, candidate, fingerprint and the client role")
    func readsTransport() throws {
        let signaling = try JanusViewerSignaling(offer: capturedOffer)
        #expect(signaling.transport.credentials == ICECredentials(ufrag: "qTsR", password: "w1z5a5lStvfefLoL+WS+9w"))
        #expect(signaling.transport.server.description == "192.0.2.2:41681")
        #expect(signaling.transport.fingerprint.algorithm == "sha-256")
        #expect(signaling.transport.fingerprint.digest.prefix(3) == [0x79, 0x9E, 0x78])
        // a=setup:actpass leaves the choice to the answerer; we take active (RFC 5763 §5).
        #expect(signaling.transport.dtlsRole == .client)
    }

    @Test("Payload types, rtpmaps and SSRCs per media section, BUNDLE order kept")
    func readsMedia() throws {
        let signaling = try JanusViewerSignaling(offer: capturedOffer)
        #expect(signaling.bundle == ["a", "v"])
        #expect(signaling.media.map(\.kind) == ["audio", "video"])
        #expect(signaling.media[0].payloadTypes == [111])
        #expect(signaling.media[0].ssrcs == [3_140_952_743])
        #expect(signaling.media[1].payloadTypes == [96, 97])
        #expect(signaling.media[1].rtpMaps == ["96 VP8/90000", "97 rtx/90000"])
        // Media SSRC first, then its RTX partner (a=ssrc-group:FID, RFC 4588 §8.1).
        #expect(signaling.media[1].ssrcs == [3_750_774_481, 2_563_471_542])
    }

    @Test("The answer is recvonly per section with the offer's mids, our ICE and DTLS values and setup:active")
    func writesAnswer() throws {
        let signaling = try JanusViewerSignaling(offer: capturedOffer)
        let ours = CertificateFingerprint(algorithm: "sha-256", digest: Array(repeating: 0xAB, count: 32))
        let text = signaling.answer(
            credentials: ICECredentials(ufrag: "benchUfrag", password: "benchPasswordOf22chars"), fingerprint: ours,
            host: "127.0.0.1", port: 40_123)
        let answer = try SessionDescription(parsing: text)
        #expect(answer.groups.first?.semantics == "BUNDLE")
        #expect(answer.groups.first?.mids == ["a", "v"])
        #expect(answer.media.map(\.mid) == ["a", "v"])
        // RFC 8829 §5.3.1: one payload type per accepted codec; we leave RTX out.
        #expect(answer.media.map(\.mediaLine.payloadTypes) == [[111], [96]])
        for section in answer.media {
            #expect(section.direction == .receiveOnly)
            #expect(section.setupRole == .active)
            #expect(section.iceUfrag == "benchUfrag")
            #expect(section.icePwd == "benchPasswordOf22chars")
            #expect(section.fingerprints.first?.digest == ours.digest)
            #expect(section.isRTCPMuxed)
            #expect(section.candidates.first?.address == "127.0.0.1")
            #expect(section.candidates.first?.port == 40_123)
        }
        #expect(answer.media[1].rtpMap(for: 96)?.encodingName == "VP8")
        #expect(answer.media[0].rtpMap(for: 111)?.channels == 2)
    }

    @Test("An offer without media is refused")
    func refusesEmptyOffer() {
        #expect(throws: (any Error).self) {
            try JanusViewerSignaling(offer: "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n")
        }
    }
}
