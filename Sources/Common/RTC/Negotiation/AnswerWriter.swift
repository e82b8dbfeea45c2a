import MeshWire

/// Writes the SDP answer from the decided sections (RFC 3264 §6, RFC 8829 §5.3.1).
///
/// Transport attributes (ufrag, pwd, fingerprint, setup, candidates) are repeated in every
/// accepted section, as libwebrtc writes its own answers, so that clients that read them from
/// any bundled section find them; `a=ice-lite` is session-level (RFC 8839 §5.3).
struct AnswerWriter {
    let role: NegotiationRole
    let local: LocalTransport
    let weAreDTLSServer: Bool
    /// The msid stream id and CNAME, already a valid token.
    let streamID: String

    /// The answer to `offer`, one section per offered section, in order.
    func answer(to offer: SessionDescription, outcomes: [SectionOutcome]) -> SessionDescription {
        var attributes: [SDPAttribute] = [.iceLite]
        // RFC 9143 §7.3.1: an answer has a BUNDLE group only when the offer had one.
        if offer.groups.contains(where: { $0.semantics == "BUNDLE" }) {
            let mids = outcomes.compactMap { outcome -> String? in
                if case .accepted(let section) = outcome { section.media.mid } else { nil }
            }
            attributes.append(.group(SDPGroup(semantics: "BUNDLE", mids: mids)))
        }
        if offer.attributes.contains(.extmapAllowMixed) { attributes.append(.extmapAllowMixed) }

        var tracksPerKind: [MediaKind: Int] = [:]
        let media = outcomes.map { outcome in
            switch outcome {
            case .rejected(let offered, _):
                return rejected(offered)
            case .accepted(let section):
                let count = tracksPerKind[section.media.kind, default: 0]
                tracksPerKind[section.media.kind] = count + 1
                // Track ids must differ between sections (RFC 8830 §2).
                let track =
                    count == 0 ? section.media.kind.rawValue : "\(section.media.kind.rawValue)-\(section.media.mid)"
                return accepted(section, track: track)
            }
        }
        return SessionDescription(
            origin: SDPOrigin(
                username: "-", sessionID: Self.sessionID(local.ufrag), sessionVersion: 1, unicastAddress: "0.0.0.0"),
            attributes: attributes, media: media)
    }

    /// Port 0, the offered formats, the mid: a rejected section (RFC 3264 §6, RFC 8829 §5.3.1).
    private func rejected(_ offered: MediaDescription) -> MediaDescription {
        var line = offered.mediaLine
        line.port = 0
        line.portCount = nil
        return MediaDescription(
            mediaLine: line, connections: [SDPConnection(address: "0.0.0.0")],
            attributes: offered.mid.map { [.mid($0)] } ?? [])
    }

    private func accepted(_ section: AcceptedSection, track: String) -> MediaDescription {
        let media = section.media
        let offered = section.offered
        // The default candidate (RFC 8839 §4.2.1.1): the first UDP one, else the first one.
        let defaultCandidate = local.candidates.first { $0.transport == .udp } ?? local.candidates.first
        var attributes: [SDPAttribute] = [
            .mid(media.mid), .iceUfrag(local.ufrag), .icePwd(local.password),
            .other(name: "fingerprint", value: local.fingerprint),
            .setup(weAreDTLSServer ? .passive : .active),
            .direction(role == .publisher ? .receiveOnly : .sendOnly), .rtcpMux,
        ]
        if offered.attributes.contains(.rtcpReducedSize) { attributes.append(.rtcpReducedSize) }
        if offered.attributes.contains(.extmapAllowMixed) { attributes.append(.extmapAllowMixed) }
        attributes += section.extensionLines.map(SDPAttribute.extensionMap)
        if role == .viewer { attributes.append(.msid(MediaStreamID(streamID: streamID, trackID: track))) }
        for codec in section.codecs { attributes += codec.attributes }
        if !section.ridLines.isEmpty {
            attributes += section.ridLines.map(SDPAttribute.rid)
            let streams = section.ridLines.map { [Simulcast.Stream(rid: $0.id)] }
            attributes.append(.simulcast(Simulcast(receive: streams)))
        }
        if let ssrc = media.localSSRC {
            if let rtx = media.localRTXSSRC {
                attributes.append(.ssrcGroup(SSRCGroup(semantics: "FID", ssrcs: [ssrc, rtx])))
            }
            for source in [ssrc] + (media.localRTXSSRC.map { [$0] } ?? []) {
                attributes.append(.ssrc(SSRCAttribute(ssrc: source, name: "cname", value: streamID)))
                attributes.append(.ssrc(SSRCAttribute(ssrc: source, name: "msid", value: "\(streamID) \(track)")))
            }
        }
        attributes += LocalCandidate.attributes(local.candidates)
        attributes.append(.endOfCandidates)
        return MediaDescription(
            mediaLine: MediaLine(
                media: offered.mediaLine.media, port: defaultCandidate?.port ?? 9, proto: offered.mediaLine.proto,
                formats: section.codecs.flatMap(\.payloadTypes).map { "\($0)" }),
            connections: [defaultCandidate?.connection ?? SDPConnection(address: "0.0.0.0")],
            attributes: attributes)
    }

    /// A numeric `o=` session id (RFC 8866 §5.2) that differs per session: FNV-1a of our ufrag,
    /// which is random per session, cut to 62 bits so it stays a positive 64-bit number.
    static func sessionID(_ ufrag: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in ufrag.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return "\(hash & 0x3FFF_FFFF_FFFF_FFFF)"
    }

    /// `name` as an msid-id (1 to 64 token-chars, RFC 8830 §2 with RFC 8866 §9): other
    /// characters become `-`; an empty name becomes `meshcast`.
    static func streamID(_ name: String) -> String {
        let isTokenChar: (Unicode.Scalar) -> Bool = { scalar in
            switch scalar.value {
            case 0x21, 0x23...0x27, 0x2A...0x2B, 0x2D...0x2E, 0x30...0x39, 0x41...0x5A, 0x5E...0x7E: true
            default: false
            }
        }
        let token = String(String.UnicodeScalarView(name.unicodeScalars.prefix(64).map { isTokenChar($0) ? $0 : "-" }))
        return token.isEmpty ? "meshcast" : token
    }
}
