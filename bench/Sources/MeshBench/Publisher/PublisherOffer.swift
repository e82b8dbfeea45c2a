import MeshCrypto
import MeshRTC

/// The send-only offer a benchmark publisher POSTs to WHIP (RFC 9725 §4.2, RFC 8829 §5.2):
/// Opus audio and VP8 video, bundled and rtcp-muxed, with NACK/PLI/FIR/REMB feedback, the
/// extensions the node routes by (mid, rid, repaired-rid) and abs-capture-time, and with
/// `simulcast` three RID layers (RFC 8851 §4, RFC 8853 §5.1).
struct PublisherOffer {
    /// Payload type for Opus (RFC 7587 §7).
    static let opusPayloadType: UInt8 = 111
    /// Payload type for VP8 (RFC 7741 §6.1).
    static let vp8PayloadType: UInt8 = 96
    /// Payload type for VP8 retransmissions (RFC 4588 §8.6, `apt=96`).
    static let rtxPayloadType: UInt8 = 97
    /// The extension IDs the offer maps and the packets carry (RFC 8285 §5).
    static let midID: UInt8 = 1
    static let ridID: UInt8 = 2
    static let repairedRIDID: UInt8 = 3
    static let captureTimeID: UInt8 = 4
    /// The sections' mids.
    static let audioMID = "0"
    static let videoMID = "1"

    let credentials: ICECredentials
    let fingerprint: CertificateFingerprint
    /// Our socket's address, announced as the one host candidate (RFC 8839 §5.1).
    let host: String
    let port: UInt16
    /// Announce three layers, RIDs ``MediaClipSet/rids``.
    let simulcast: Bool

    /// The offer as SDP text, CRLF line ends (RFC 8866 §5).
    var sdp: String {
        let sessionID = UInt64.random(in: 1...UInt64(Int64.max))
        var lines = [
            "v=0",
            "o=- \(sessionID) 2 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            "a=group:BUNDLE \(Self.audioMID) \(Self.videoMID)",
            "a=msid-semantic: WMS meshbench",
        ]
        lines += section(
            kind: "audio", mid: Self.audioMID, payloadTypes: "\(Self.opusPayloadType)",
            codec: [
                "a=rtpmap:\(Self.opusPayloadType) opus/48000/2",
                "a=fmtp:\(Self.opusPayloadType) minptime=10;useinbandfec=1",
            ])
        var video = [
            "a=rtpmap:\(Self.vp8PayloadType) VP8/90000",
            "a=rtcp-fb:\(Self.vp8PayloadType) goog-remb",
            "a=rtcp-fb:\(Self.vp8PayloadType) ccm fir",
            "a=rtcp-fb:\(Self.vp8PayloadType) nack",
            "a=rtcp-fb:\(Self.vp8PayloadType) nack pli",
        ]
        if simulcast {
            video += MediaClipSet.rids.map { "a=rid:\($0) send" }
            video.append("a=simulcast:send \(MediaClipSet.rids.joined(separator: ";"))")
        }
        video += [
            "a=rtpmap:\(Self.rtxPayloadType) rtx/90000",
            "a=fmtp:\(Self.rtxPayloadType) apt=\(Self.vp8PayloadType)",
        ]
        lines += section(
            kind: "video", mid: Self.videoMID, payloadTypes: "\(Self.vp8PayloadType) \(Self.rtxPayloadType)",
            codec: video)
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    private func section(kind: String, mid: String, payloadTypes: String, codec: [String]) -> [String] {
        [
            "m=\(kind) 9 UDP/TLS/RTP/SAVPF \(payloadTypes)",
            "c=IN IP4 0.0.0.0",
            "a=ice-ufrag:\(credentials.ufrag)",
            "a=ice-pwd:\(credentials.password)",
            "a=fingerprint:\(fingerprint.sdpValue)",
            "a=setup:actpass",
            "a=mid:\(mid)",
            "a=extmap:\(Self.midID) urn:ietf:params:rtp-hdrext:sdes:mid",
            "a=extmap:\(Self.ridID) urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
            "a=extmap:\(Self.repairedRIDID) urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
            "a=extmap:\(Self.captureTimeID) \(CaptureTimeExtension.uri)",
            "a=sendonly",
            "a=msid:meshbench \(kind)",
            "a=rtcp-mux",
        ] + codec + [
            "a=candidate:1 1 udp 2130706431 \(host) \(port) typ host",
            "a=end-of-candidates",
        ]
    }
}
