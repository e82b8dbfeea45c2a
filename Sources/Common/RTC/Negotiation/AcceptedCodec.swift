import MeshWire

/// An offered payload type the node accepts, with the offer's lines the answer repeats for it.
struct AcceptedCodec {
    /// What the engine gets.
    var codec: NegotiatedCodec
    /// The offered `a=rtpmap`.
    var map: RTPMap
    /// The offered `a=fmtp`, if any.
    var parameters: FormatParameters?
    /// The offered RTX `a=rtpmap` for this codec, when RTX is accepted.
    var rtxMap: RTPMap?
    /// The offered RTX `a=fmtp` (`apt=`), when RTX is accepted.
    var rtxParameters: FormatParameters?

    init(codec: NegotiatedCodec, map: RTPMap, parameters: FormatParameters?) {
        self.codec = codec
        self.map = map
        self.parameters = parameters
    }

    /// The answer's lines for this codec and its RTX: rtpmap, fmtp, rtcp-fb, then RTX's
    /// rtpmap and fmtp (RFC 4588 §8.6).
    var attributes: [SDPAttribute] {
        var lines: [SDPAttribute] = [.rtpMap(map)]
        if let parameters { lines.append(.formatParameters(parameters)) }
        lines += codec.feedback.attributes(payloadType: codec.payloadType)
        if let rtxMap, let rtxParameters {
            lines += [.rtpMap(rtxMap), .formatParameters(rtxParameters)]
        }
        return lines
    }

    /// The payload types for the answer's `m=` line: the codec, then its RTX.
    var payloadTypes: [UInt8] {
        [codec.payloadType] + (codec.rtxPayloadType.map { [$0] } ?? [])
    }

    /// The codecs offered in `section` that the node accepts, the node's preference first and
    /// offer order among equals, each with its RTX (when accepted) and the feedback
    /// `allowedFeedback` permits.
    static func all(
        offeredIn section: MediaDescription, kind: MediaKind, capabilities: MediaCapabilities,
        allowedFeedback: RTCPFeedbackSet
    ) -> [AcceptedCodec] {
        var seen: Set<UInt8> = []
        let offered = section.mediaLine.payloadTypes.filter { seen.insert($0).inserted }
        var accepted: [(rank: Int, codec: AcceptedCodec)] = []
        for payloadType in offered {
            guard let map = section.rtpMap(for: payloadType) else { continue }
            let parameters = section.formatParameters(for: payloadType)
            guard let codecKind = CodecKind(offered: map, parameters: parameters, in: kind),
                let rank = capabilities.rank(of: codecKind)
            else { continue }
            let codec = NegotiatedCodec(
                payloadType: payloadType, kind: codecKind, clockRate: map.clockRate,
                channels: Int(map.channels ?? 1), fmtp: parameters.map(\.parameterText),
                rtxPayloadType: nil, feedback: feedback(for: payloadType, in: section).intersection(allowedFeedback))
            accepted.append((rank, AcceptedCodec(codec: codec, map: map, parameters: parameters)))
        }
        var codecs = accepted.enumerated()
            .sorted { ($0.element.rank, $0.offset) < ($1.element.rank, $1.offset) }
            .map(\.element.codec)
        guard capabilities.retransmission else { return codecs }
        for payloadType in offered {
            guard let map = section.rtpMap(for: payloadType), map.encodingName.lowercased() == "rtx",
                let parameters = section.formatParameters(for: payloadType),
                let associated = parameters["apt"].flatMap({ UInt8($0) }),
                let index = codecs.firstIndex(where: { $0.codec.payloadType == associated }),
                codecs[index].codec.rtxPayloadType == nil, codecs[index].codec.clockRate == map.clockRate
            else { continue }
            codecs[index].codec.rtxPayloadType = payloadType
            codecs[index].rtxMap = map
            codecs[index].rtxParameters = parameters
        }
        return codecs
    }

    /// The feedback `section` offers for `payloadType`, by its own lines and by `a=rtcp-fb:*`.
    private static func feedback(for payloadType: UInt8, in section: MediaDescription) -> RTCPFeedbackSet {
        var set: RTCPFeedbackSet = []
        for line in section.rtcpFeedback where line.formats == .all || line.formats == .payloadType(payloadType) {
            set.formUnion(RTCPFeedbackSet(offered: line))
        }
        return set
    }
}
