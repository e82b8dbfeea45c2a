import MeshCrypto
import MeshRTC

/// The receive-only offer a benchmark viewer POSTs (RFC 9725 §4.2, RFC 8829 §5.2): one Opus
/// audio section and one VP8 video section, bundled and rtcp-muxed, with our ICE credentials,
/// our certificate's fingerprint, `a=setup:actpass` and one host candidate for our socket.
struct ViewerOffer {
    /// Payload type offered for Opus (RFC 7587 §7).
    static let opusPayloadType: UInt8 = 111
    /// Payload type offered for VP8 (RFC 7741 §6.1).
    static let vp8PayloadType: UInt8 = 96
    /// The publisher's capture time, forwarded end to end: how viewers measure latency.
    static let captureTimeURI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time"
    /// The id we offer for it (RFC 8285 one-byte form).
    static let captureTimeID = 7

    let credentials: ICECredentials
    let fingerprint: CertificateFingerprint
    /// Our socket's address, announced as the one host candidate (RFC 8839 §5.1).
    let host: String
    let port: UInt16

    /// The offer as SDP text, CRLF line ends (RFC 8866 §5).
    var sdp: String {
        let sessionID = UInt64.random(in: 1...UInt64(Int64.max))
        var lines = [
            "v=0",
            "o=- \(sessionID) 2 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            "a=group:BUNDLE 0 1",
        ]
        lines += section(
            kind: "audio", mid: "0", payloadType: Self.opusPayloadType,
            codec: [
                "a=rtpmap:\(Self.opusPayloadType) opus/48000/2",
                "a=fmtp:\(Self.opusPayloadType) minptime=10;useinbandfec=1",
            ])
        lines += section(
            kind: "video", mid: "1", payloadType: Self.vp8PayloadType,
            codec: [
                "a=rtpmap:\(Self.vp8PayloadType) VP8/90000",
                "a=rtcp-fb:\(Self.vp8PayloadType) goog-remb",
                "a=rtcp-fb:\(Self.vp8PayloadType) nack",
                "a=rtcp-fb:\(Self.vp8PayloadType) nack pli",
            ])
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    private func section(kind: String, mid: String, payloadType: UInt8, codec: [String]) -> [String] {
        [
            "m=\(kind) 9 UDP/TLS/RTP/SAVPF \(payloadType)",
            "c=IN IP4 0.0.0.0",
            "a=ice-ufrag:\(credentials.ufrag)",
            "a=ice-pwd:\(credentials.password)",
            "a=fingerprint:\(fingerprint.sdpValue)",
            "a=setup:actpass",
            "a=mid:\(mid)",
            "a=recvonly",
            "a=rtcp-mux",
            "a=extmap:\(Self.captureTimeID) \(Self.captureTimeURI)",
        ] + codec + [
            "a=candidate:1 1 udp 2130706431 \(host) \(port) typ host",
            "a=end-of-candidates",
        ]
    }
}
