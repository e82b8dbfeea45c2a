import MeshCrypto
import MeshRTC
import MeshRuntime
import MeshWire

/// The offers the embedded engine tests' clients send, as a browser would (RFC 8829 §5.2): one
/// Opus section and one VP8 section (optionally simulcast with RIDs, RFC 8853), bundled,
/// rtcp-muxed, with NACK, PLI and RTX, the mid and rid header extensions.
struct EmbeddedOffer {
    static let opus: UInt8 = 111
    static let vp8: UInt8 = 96
    /// RTX for VP8 (RFC 4588 §8.6), as browsers offer it.
    static let rtx: UInt8 = 97
    static let midID: UInt8 = 1
    static let ridID: UInt8 = 2

    let credentials: ICECredentials
    let fingerprint: CertificateFingerprint
    /// `sendonly` for a publisher, `recvonly` for a viewer.
    let direction: String
    /// RIDs of the simulcast layers a publisher sends, lowest first (RFC 8851); empty: none.
    var rids: [String] = []

    var sdp: String {
        var lines = ["v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1"]
        lines += section(kind: "audio", mid: "0", payloadType: "\(Self.opus)", codec: ["a=rtpmap:111 opus/48000/2"])
        var video = [
            "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli",
            "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96",
            "a=extmap:\(Self.ridID) urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
        ]
        if !rids.isEmpty {
            video += rids.map { "a=rid:\($0) send" }
            video.append("a=simulcast:send \(rids.joined(separator: ";"))")
        }
        lines += section(kind: "video", mid: "1", payloadType: "\(Self.vp8) \(Self.rtx)", codec: video)
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    private func section(kind: String, mid: String, payloadType: String, codec: [String]) -> [String] {
        [
            "m=\(kind) 9 UDP/TLS/RTP/SAVPF \(payloadType)", "c=IN IP4 0.0.0.0",
            "a=ice-ufrag:\(credentials.ufrag)", "a=ice-pwd:\(credentials.password)",
            "a=fingerprint:\(fingerprint.sdpValue)", "a=setup:actpass", "a=mid:\(mid)", "a=\(direction)",
            "a=rtcp-mux", "a=extmap:\(Self.midID) urn:ietf:params:rtp-hdrext:sdes:mid",
        ] + codec
    }
}

/// What a client needs from the node's answer: its ICE credentials, fingerprint, our DTLS role,
/// its UDP candidate, and (for a viewer) the SSRC of each section it will receive.
struct EmbeddedAnswer {
    let credentials: ICECredentials
    let fingerprint: CertificateFingerprint
    let dtlsRole: DTLSRole
    let server: SocketAddress
    /// The SSRC the node sends each media section with (`a=ssrc`), by mid.
    let ssrcs: [String: UInt32]
    /// The RTX SSRC of each section that has one (`a=ssrc-group:FID`, RFC 5576 §4.2), by mid.
    let rtxSSRCs: [String: UInt32]

    struct Unusable: Error {
        let reason: String
    }

    init(sdp: String) throws {
        let session = try SessionDescription(parsing: sdp)
        guard let first = session.media.first, let ufrag = first.iceUfrag ?? session.iceUfrag,
            let password = first.icePwd ?? session.icePwd,
            let printed = first.fingerprints.first ?? session.fingerprints.first
        else { throw Unusable(reason: "answer lacks ICE credentials or a fingerprint") }
        credentials = ICECredentials(ufrag: ufrag, password: password)
        fingerprint = CertificateFingerprint(algorithm: printed.hashFunction, digest: printed.digest)
        dtlsRole = (first.setupRole ?? session.setupRole) == .active ? .server : .client
        guard let candidate = (session.media.flatMap(\.candidates) + session.candidates).first else {
            throw Unusable(reason: "answer has no candidate")
        }
        server = try SocketAddress(ipv4: candidate.address, port: candidate.port)
        var ssrcs: [String: UInt32] = [:]
        var rtxSSRCs: [String: UInt32] = [:]
        for media in session.media {
            guard let mid = media.mid else { continue }
            ssrcs[mid] = media.ssrcAttributes.first?.ssrc
            if let group = media.ssrcGroups.first(where: { $0.semantics == "FID" }), group.ssrcs.count == 2 {
                ssrcs[mid] = group.ssrcs[0]
                rtxSSRCs[mid] = group.ssrcs[1]
            }
        }
        self.ssrcs = ssrcs
        self.rtxSSRCs = rtxSSRCs
    }
}
