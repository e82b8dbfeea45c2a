import MeshWire

extension MediaDescription {
    /// The offered header extensions among `uris`, as the engine's map and as the answer's
    /// `a=extmap` lines (same IDs; a direction, when given, seen from our side, RFC 8285 §8).
    /// IDs outside 1–255 (RFC 8285 §5) and `inactive` mappings are left out.
    func acceptedExtensions(among uris: [String]) -> (map: HeaderExtensionMap, lines: [ExtensionMap]) {
        var map = HeaderExtensionMap()
        var lines: [ExtensionMap] = []
        for offered in extensionMaps where offered.direction != .inactive && uris.contains(offered.uri) {
            guard let id = UInt8(exactly: offered.id), id >= 1, map.record(uri: offered.uri, id: id) else { continue }
            lines.append(ExtensionMap(id: offered.id, direction: offered.direction?.mirrored, uri: offered.uri))
        }
        return (map, lines)
    }

    /// The remote media and RTX SSRCs: the pair of the first `a=ssrc-group:FID` (RFC 5576
    /// §4.2, RFC 4588 §8.7), else the first `a=ssrc` alone.
    var remoteSSRCs: (media: UInt32?, rtx: UInt32?) {
        if let group = ssrcGroups.first(where: { $0.semantics.uppercased() == "FID" && $0.ssrcs.count >= 2 }) {
            return (group.ssrcs[0], group.ssrcs[1])
        }
        return (ssrcAttributes.first?.ssrc, nil)
    }

    /// The publisher's simulcast, answered (RFC 8853 §5.3): for each stream of
    /// `a=simulcast:send`, the first alternative that is not paused, has an `a=rid:… send`
    /// line and (when the rid restricts `pt=`) an accepted payload type. Returns the chosen
    /// RIDs in offer order and the answer's `a=rid:… recv` lines, whose `pt=` keeps only
    /// accepted payload types; other restrictions are echoed.
    func acceptedSimulcast(acceptedPayloadTypes: Set<UInt8>) -> (rids: [String], lines: [RIDDescription]) {
        guard let simulcast else { return ([], []) }
        let sent = rids.filter { $0.direction == .send }
        var chosen: [String] = []
        var lines: [RIDDescription] = []
        for alternatives in simulcast.send {
            for stream in alternatives where !stream.isPaused && !chosen.contains(stream.rid) {
                guard let description = sent.first(where: { $0.id == stream.rid }) else { continue }
                let allowed = description.payloadTypes.filter(acceptedPayloadTypes.contains)
                guard description.payloadTypes.isEmpty || !allowed.isEmpty else { continue }
                let restrictions = description.restrictions.map { restriction in
                    restriction.name == "pt"
                        ? RIDDescription.Restriction(name: "pt", value: allowed.map { "\($0)" }.joined(separator: ","))
                        : restriction
                }
                chosen.append(stream.rid)
                lines.append(RIDDescription(id: stream.rid, direction: .receive, restrictions: restrictions))
                break
            }
        }
        return (chosen, lines)
    }

    /// The offered codecs as `name/rate[/channels]`, for error messages.
    var offeredEncodings: [String] {
        mediaLine.payloadTypes.map { payloadType in
            guard let map = rtpMap(for: payloadType) else { return "payload type \(payloadType)" }
            var text = "\(map.encodingName)/\(map.clockRate)"
            if let channels = map.channels { text += "/\(channels)" }
            if let parameters = formatParameters(for: payloadType), !parameters.parameters.isEmpty {
                text += " (\(parameters.parameterText))"
            }
            return text
        }.filter { !$0.lowercased().hasPrefix("rtx/") }
    }

    /// Whether the transport is DTLS-SRTP with RTP, as WebRTC requires (RFC 8827 §6.5):
    /// `UDP/TLS/RTP/SAVPF`, `TCP/DTLS/RTP/SAVPF` and their SAVP forms.
    var isDTLSSRTP: Bool {
        let proto = mediaLine.proto.uppercased()
        return proto.contains("TLS/RTP/SAVP")
    }
}

extension MediaDirection {
    /// The same direction seen from the other side.
    var mirrored: MediaDirection {
        switch self {
        case .sendOnly: .receiveOnly
        case .receiveOnly: .sendOnly
        case .sendReceive, .inactive: self
        }
    }
}
