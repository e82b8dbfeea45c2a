import MeshCrypto
import MeshRTC
import MeshWire

/// A bench viewer's side of Janus's streaming offer, where Janus offers and we answer (the
/// reverse of WHEP): what the transport needs from the offer, and our recvonly answer.
///
/// Janus's offer carries what a WHEP answer does (ICE credentials, fingerprint, `setup`, one
/// IPv4 host candidate), so ``transport`` is a ``ViewerAnswer`` read from it and
/// `BenchViewer.connect` takes it unchanged: `a=setup:actpass` makes us the DTLS client.
struct JanusViewerSignaling: Sendable {
    /// One media section of the offer: what Janus will send in it.
    struct Media: Sendable, Equatable {
        let kind: String
        let mid: String
        /// The offered payload types, in m-line order (the first is the codec; VP8's RTX follows).
        let payloadTypes: [UInt8]
        /// `a=rtpmap` lines of the section, as `"<pt> <name>/<rate>[/<channels>]"`.
        let rtpMaps: [String]
        /// SSRCs Janus announces (`a=ssrc`), media then RTX for video.
        let ssrcs: [UInt32]
    }

    /// Remote ICE credentials, Janus's host candidate, fingerprint and our DTLS role.
    let transport: ViewerAnswer
    let media: [Media]
    /// The mids of `a=group:BUNDLE`, in order.
    let bundle: [String]

    /// Reads Janus's offer.
    init(offer sdp: String) throws {
        transport = try ViewerAnswer(sdp: sdp)
        let session = try SessionDescription(parsing: sdp)
        media = session.media.map { section in
            Media(
                kind: section.mediaLine.media, mid: section.mid ?? "",
                payloadTypes: section.mediaLine.payloadTypes,
                rtpMaps: section.rtpMaps.map { map in
                    "\(map.payloadType) \(map.encodingName)/\(map.clockRate)" + (map.channels.map { "/\($0)" } ?? "")
                },
                ssrcs: section.ssrcAttributes.reduce(into: [UInt32]()) { list, attribute in
                    if !list.contains(attribute.ssrc) { list.append(attribute.ssrc) }
                })
        }
        bundle = session.groups.first { $0.semantics == "BUNDLE" }?.mids ?? media.map(\.mid)
        guard !media.isEmpty else { throw ViewerAnswer.Unusable(description: "offer has no media section") }
    }

    /// Our answer (RFC 8829 §5.3): every offered section accepted recvonly with its first
    /// payload type only (no RTX, so Janus retransmits on the media SSRC the viewer counts;
    /// RFC 4588 §4 leaves RTX optional), same mids and BUNDLE, our ICE credentials,
    /// our certificate fingerprint, `a=setup:active` (RFC 5763 §5: we answer actpass as the
    /// DTLS client) and one host candidate for our socket. CRLF line ends.
    func answer(credentials: ICECredentials, fingerprint: CertificateFingerprint, host: String, port: UInt16) -> String
    {
        var lines = [
            "v=0",
            "o=- \(UInt64.random(in: 1...UInt64(Int64.max))) 2 IN IP4 \(host)",
            "s=-",
            "t=0 0",
            "a=group:BUNDLE \(bundle.joined(separator: " "))",
        ]
        for section in media {
            let accepted = section.payloadTypes.prefix(1)
            lines += [
                "m=\(section.kind) 9 UDP/TLS/RTP/SAVPF \(accepted.map(String.init).joined(separator: " "))",
                "c=IN IP4 0.0.0.0",
                "a=ice-ufrag:\(credentials.ufrag)",
                "a=ice-pwd:\(credentials.password)",
                "a=fingerprint:\(fingerprint.sdpValue)",
                "a=setup:active",
                "a=mid:\(section.mid)",
                "a=recvonly",
                "a=rtcp-mux",
            ]
            lines += section.rtpMaps.filter { map in
                accepted.contains { map.hasPrefix("\($0) ") }
            }.map { "a=rtpmap:\($0)" }
            if section.kind == "video", let media = accepted.first {
                lines += ["a=rtcp-fb:\(media) nack", "a=rtcp-fb:\(media) nack pli", "a=rtcp-fb:\(media) goog-remb"]
            }
            lines += ["a=candidate:1 1 udp 2130706431 \(host) \(port) typ host", "a=end-of-candidates"]
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
