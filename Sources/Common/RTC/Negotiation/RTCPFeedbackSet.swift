import MeshWire

/// The RTCP feedback messages negotiated for one codec with `a=rtcp-fb` (RFC 4585 §4.2).
public struct RTCPFeedbackSet: OptionSet, Sendable, Hashable {
    /// The raw bits.
    public let rawValue: UInt8

    /// A set from its raw bits.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// `nack`: generic NACK for retransmission (RFC 4585 §6.2.1).
    public static let nack = RTCPFeedbackSet(rawValue: 1 << 0)
    /// `nack pli`: picture loss indication (RFC 4585 §6.3.1).
    public static let pli = RTCPFeedbackSet(rawValue: 1 << 1)
    /// `ccm fir`: full intra request (RFC 5104 §7.1).
    public static let fir = RTCPFeedbackSet(rawValue: 1 << 2)
    /// `goog-remb`: receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb).
    public static let remb = RTCPFeedbackSet(rawValue: 1 << 3)
    /// `transport-cc`: transport-wide congestion control feedback
    /// (draft-holmer-rmcat-transport-wide-cc-extensions-01).
    public static let transportCC = RTCPFeedbackSet(rawValue: 1 << 4)

    /// What a publisher may send us: all five.
    public static let publisherSide: RTCPFeedbackSet = [.nack, .pli, .fir, .remb, .transportCC]
    /// What a viewer may send us: no `transport-cc`, so that receivers send REMB, from which the
    /// node estimates each viewer's bandwidth.
    public static let viewerSide: RTCPFeedbackSet = [.nack, .pli, .fir, .remb]

    /// Each member with its `a=rtcp-fb` type and parameter, in the order libwebrtc writes them.
    static let lines: [(member: RTCPFeedbackSet, type: String, parameter: String?)] = [
        (.remb, "goog-remb", nil), (.transportCC, "transport-cc", nil), (.fir, "ccm", "fir"),
        (.nack, "nack", nil), (.pli, "nack", "pli"),
    ]

    /// The member an offered `a=rtcp-fb` line names, or `[]` for one the node does not use.
    init(offered feedback: RTCPFeedback) {
        let type = feedback.type.lowercased()
        let parameter = feedback.parameter?.lowercased()
        self = Self.lines.first { $0.type == type && $0.parameter == parameter }?.member ?? []
    }

    /// The `a=rtcp-fb` attributes that announce this set for `payloadType`.
    func attributes(payloadType: UInt8) -> [SDPAttribute] {
        Self.lines.filter { contains($0.member) }.map { line in
            .rtcpFeedback(RTCPFeedback(formats: .payloadType(payloadType), type: line.type, parameter: line.parameter))
        }
    }
}
