import MeshWire

extension CodecKind {
    /// The codec an offered payload type is, when it is one the node forwards in a form the
    /// node accepts; nil otherwise. Encoding names compare case-insensitively (RFC 4855 §3).
    ///
    /// - Opus must be `opus/48000/2` (RFC 7587 §7 fixes both).
    /// - VP8 is `VP8/90000`.
    /// - VP9 is `VP9/90000` with profile-id absent or 0 (profile 2 is 10-bit, which not every
    ///   viewer decodes).
    /// - H.264 is `H264/90000` with packetization-mode=1 (FU-A and STAP-A; mode 0 allows only
    ///   single NAL units, which the node's forwarding does not restrict itself to) and a
    ///   constrained-baseline-compatible profile-level-id (see ``H264ProfileLevelID``).
    init?(offered map: RTPMap, parameters: FormatParameters?, in media: MediaKind) {
        let name = map.encodingName.lowercased()
        guard let kind = CodecKind.allCases.first(where: { $0.encodingName.lowercased() == name }),
            kind.mediaKind == media, map.clockRate == kind.clockRate
        else { return nil }
        switch kind {
        case .opus:
            guard map.channels == 2 else { return nil }
        case .vp8:
            break
        case .vp9:
            guard (parameters?["profile-id"] ?? "0") == "0" else { return nil }
        case .h264:
            guard parameters?["packetization-mode"] == "1" else { return nil }
            let profile = parameters?["profile-level-id"].map { H264ProfileLevelID($0) } ?? .absentDefault
            guard let profile, profile.isConstrainedBaselineCompatible else { return nil }
        }
        self = kind
    }
}

extension FormatParameters {
    /// The parameters as written after the payload type, `a;b=c`.
    var parameterText: String {
        parameters.map { parameter in parameter.value.map { "\(parameter.name)=\($0)" } ?? parameter.name }
            .joined(separator: ";")
    }
}
