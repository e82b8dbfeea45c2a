import MeshWire

/// What negotiation decided for one offered media section.
enum SectionOutcome {
    /// Accepted: what the engine gets and what the answer writes.
    case accepted(AcceptedSection)
    /// Rejected with port 0 (RFC 8866 §5.14, RFC 3264 §6); `reason` goes into
    /// ``NegotiationError/noUsableCodec(_:)`` when nothing is accepted.
    case rejected(MediaDescription, reason: String)
}

/// An accepted media section, before local SSRCs are chosen.
struct AcceptedSection {
    /// The offered section.
    var offered: MediaDescription
    /// The engine's view; `localSSRC`s are filled in later for viewers.
    var media: NegotiatedMedia
    /// The accepted codecs with the lines the answer repeats.
    var codecs: [AcceptedCodec]
    /// The answer's `a=extmap` lines.
    var extensionLines: [ExtensionMap]
    /// The answer's `a=rid` lines (publisher simulcast).
    var ridLines: [RIDDescription]
}

/// Decides one media section of an offer.
struct SectionNegotiation {
    let role: NegotiationRole
    let capabilities: MediaCapabilities

    /// The outcome for `section`, the 1-based `position`-th of the offer.
    ///
    /// Sections that are not audio or video over DTLS-SRTP, that the offerer disabled (port 0
    /// without `a=bundle-only`, RFC 9143 §6) or that offer no usable codec are rejected. A live
    /// audio or video section in the wrong direction fails the whole offer.
    func outcome(of section: MediaDescription, position: Int) throws(NegotiationError) -> SectionOutcome {
        let line = section.mediaLine
        let label = section.mid.map { "media section '\($0)'" } ?? "media section \(position)"
        guard let kind = MediaKind(rawValue: line.media), line.isRTP else {
            return .rejected(section, reason: "\(label) is \(line.media) over \(line.proto), not audio or video RTP")
        }
        guard line.port != 0 || section.attributes.contains(.bundleOnly) else {
            return .rejected(section, reason: "\(label) is disabled by the offer (port 0)")
        }
        guard section.isDTLSSRTP else {
            return .rejected(section, reason: "\(label) uses \(line.proto), not DTLS-SRTP (RFC 8827 §6.5)")
        }
        try checkDirection(section.direction ?? .sendReceive, label: label)
        let allowedFeedback: RTCPFeedbackSet = role == .publisher ? .publisherSide : .viewerSide
        let codecs = AcceptedCodec.all(
            offeredIn: section, kind: kind, capabilities: capabilities, allowedFeedback: allowedFeedback)
        guard !codecs.isEmpty else {
            let offered = section.offeredEncodings
            return .rejected(
                section,
                reason:
                    "\(label) (\(kind.rawValue)) offers \(offered.isEmpty ? "no codec" : offered.joined(separator: ", "))"
            )
        }
        guard let mid = section.mid else { throw .missingMID(position) }
        let uris = role == .publisher ? HeaderExtensionMap.publisherURIs : HeaderExtensionMap.viewerURIs
        let extensions = section.acceptedExtensions(among: uris)
        var simulcast: (rids: [String], lines: [RIDDescription]) = ([], [])
        // RIDs identify the layers only through the rtp-stream-id extension (RFC 8852 §3.1).
        if role == .publisher, capabilities.simulcast, extensions.map.rid != nil {
            simulcast = section.acceptedSimulcast(acceptedPayloadTypes: Set(codecs.flatMap(\.payloadTypes)))
        }
        let remote = section.remoteSSRCs
        let media = NegotiatedMedia(
            mid: mid, kind: kind, codecs: codecs.map(\.codec), extensions: extensions.map,
            simulcastRIDs: simulcast.rids, remoteSSRC: remote.media, remoteRTXSSRC: remote.rtx)
        return .accepted(
            AcceptedSection(
                offered: section, media: media, codecs: codecs, extensionLines: extensions.lines,
                ridLines: simulcast.lines))
    }

    /// A publisher must send (RFC 9725), a viewer must receive (draft-ietf-wish-whep).
    private func checkDirection(_ direction: MediaDirection, label: String) throws(NegotiationError) {
        switch role {
        case .publisher where direction != .sendOnly && direction != .sendReceive:
            throw .wrongDirection(
                "The SDP offer's \(label) is \(direction.rawValue), but a WHIP publisher must offer sendonly or sendrecv (RFC 9725)."
            )
        case .viewer where direction != .receiveOnly && direction != .sendReceive:
            throw .wrongDirection(
                "The SDP offer's \(label) is \(direction.rawValue), but a WHEP viewer must offer recvonly or sendrecv (draft-ietf-wish-whep)."
            )
        default:
            break
        }
    }
}
