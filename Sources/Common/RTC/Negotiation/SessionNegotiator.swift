import MeshWire

/// Answers WHIP and WHEP offers: decides codecs, extensions, simulcast and transport, and
/// writes the SDP answer of an ICE-lite, BUNDLE-only, rtcp-mux-only SFU node.
///
/// Control plane only: it allocates freely and runs once per session set-up.
public struct SessionNegotiator: Sendable {
    /// What the node accepts.
    public var capabilities: MediaCapabilities

    /// A negotiator with the given capabilities.
    public init(capabilities: MediaCapabilities = .default) {
        self.capabilities = capabilities
    }

    /// Answers `offer`.
    ///
    /// - Parameters:
    ///   - offer: the SDP offer from the request body.
    ///   - role: `.publisher` for WHIP (answer `recvonly`), `.viewer` for WHEP (answer `sendonly`).
    ///   - local: our ICE credentials, fingerprint and host candidates.
    ///   - streamName: the stream; a viewer answer's `a=msid` and CNAME are made from it.
    ///   - makeSSRC: a source of random SSRCs, called for each SSRC a viewer answer announces.
    /// - Returns: the answer text and the negotiated session.
    /// - Throws: ``NegotiationError`` naming what is wrong with the offer.
    ///
    /// A media section with no usable codec is rejected (port 0) and the others go on; when no
    /// section is usable, ``NegotiationError/noUsableCodec(_:)`` lists what was offered.
    public func answer(
        offer: String, role: NegotiationRole, local: LocalTransport, streamName: String,
        makeSSRC: () -> UInt32
    ) throws(NegotiationError) -> NegotiatedSession {
        let description: SessionDescription
        do {
            description = try SessionDescription(parsing: offer)
        } catch {
            throw .malformed(error.description)
        }
        // Before any section is negotiated: a refused offer costs no per-track state.
        try capabilities.limits.check(description)
        let sections = SectionNegotiation(role: role, capabilities: capabilities)
        var outcomes: [SectionOutcome] = []
        for (index, section) in description.media.enumerated() {
            outcomes.append(try sections.outcome(of: section, position: index + 1))
        }
        var accepted = outcomes.compactMap { outcome -> AcceptedSection? in
            if case .accepted(let section) = outcome { section } else { nil }
        }
        guard let first = accepted.first else {
            throw .noUsableCodec(noUsableCodecSummary(outcomes))
        }
        var mids: Set<String> = []
        if let repeated = accepted.first(where: { !mids.insert($0.media.mid).inserted }) {
            throw .malformed(
                "media section '\(repeated.media.mid)', whose a=mid repeats an earlier section's (RFC 5888 §4)")
        }
        try Self.checkBundle(description, accepted: accepted)
        // rtcp-mux is an IDENTICAL-category attribute (RFC 8859): one bundled section with it suffices.
        guard accepted.contains(where: { $0.offered.isRTCPMuxed }) else { throw .missingRTCPMux }
        let remote = try RemoteTransport(
            from: [first.offered, description] + accepted.dropFirst().map(\.offered))

        if role == .viewer {
            var sources = SSRCSource(
                taken: Set(accepted.flatMap { [$0.media.remoteSSRC, $0.media.remoteRTXSSRC].compactMap { $0 } }))
            for index in accepted.indices {
                accepted[index].media.localSSRC = try sources.next(makeSSRC)
                if accepted[index].codecs.contains(where: { $0.codec.rtxPayloadType != nil }) {
                    accepted[index].media.localRTXSSRC = try sources.next(makeSSRC)
                }
            }
            var remaining = accepted[...]
            outcomes = outcomes.map { outcome in
                guard case .accepted = outcome, let next = remaining.popFirst() else { return outcome }
                return .accepted(next)
            }
        }
        let writer = AnswerWriter(
            role: role, local: local, weAreDTLSServer: remote.weAreDTLSServer,
            streamID: AnswerWriter.streamID(streamName))
        return NegotiatedSession(
            answer: writer.answer(to: description, outcomes: outcomes).serialized,
            remoteUfrag: remote.ufrag, remotePassword: remote.password, remoteFingerprint: remote.fingerprint,
            weAreDTLSServer: remote.weAreDTLSServer, media: accepted.map(\.media))
    }

    /// Every accepted section must be in the offer's first BUNDLE group; without a group, only
    /// one section may be accepted, since the node serves a session on one transport.
    private static func checkBundle(_ offer: SessionDescription, accepted: [AcceptedSection]) throws(NegotiationError) {
        guard offer.groups.contains(where: { $0.semantics == "BUNDLE" }) else {
            if accepted.count > 1 { throw .notBundled(accepted[1].media.mid) }
            return
        }
        let bundled = offer.bundleMIDs
        if let outside = accepted.first(where: { !bundled.contains($0.media.mid) }) {
            throw .notBundled(outside.media.mid)
        }
    }

    /// Why each section was rejected (cut to ``ErrorEcho/echoBytes``), and what the node takes.
    private func noUsableCodecSummary(_ outcomes: [SectionOutcome]) -> String {
        let reasons = outcomes.compactMap { outcome -> String? in
            if case .rejected(_, let reason) = outcome { reason } else { nil }
        }
        // The reasons repeat the offer's mids and codec names: cut, so the 400 stays short.
        let offered =
            reasons.isEmpty ? "the offer has no media section" : ErrorEcho.echoed(reasons.joined(separator: "; "))
        let taken = capabilities.codecs.map(\.requirement).joined(separator: ", ")
        return "\(offered); this server takes \(taken.isEmpty ? "no codec" : taken)"
    }
}

extension CodecKind {
    /// The form of the codec the node takes, for error messages.
    var requirement: String {
        switch self {
        case .opus: "opus/48000/2"
        case .vp8: "VP8/90000"
        case .vp9: "VP9/90000 profile-id=0"
        case .h264: "H264/90000 constrained baseline with packetization-mode=1"
        }
    }
}

/// Draws SSRCs from the caller's source, never one already in the session.
private struct SSRCSource {
    var taken: Set<UInt32>

    mutating func next(_ makeSSRC: () -> UInt32) throws(NegotiationError) -> UInt32 {
        // A random source repeats with odds of about n/2^32; a few draws are plenty.
        for _ in 0..<8 {
            let ssrc = makeSSRC()
            if taken.insert(ssrc).inserted { return ssrc }
        }
        throw .ssrcCollision
    }
}
