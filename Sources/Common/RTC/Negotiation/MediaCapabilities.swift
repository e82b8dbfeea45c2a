/// What the node is willing to negotiate.
///
/// Keys:
/// - `codecs`: the codecs accepted, in order of preference; a codec left out is never accepted.
///   The default puts VP8 and H.264 (the two video codecs every WebRTC endpoint must implement,
///   RFC 7742 §5) ahead of VP9, so that a publisher sends what every viewer decodes.
/// - `retransmission`: accept RTX payload types (RFC 4588) for accepted codecs.
/// - `simulcast`: accept RID-based simulcast from publishers (RFC 8853).
/// - `limits`: how many media sections and simulcast layers one offer may have (``OfferLimits``).
public struct MediaCapabilities: Sendable, Hashable {
    /// Accepted codecs, preferred first.
    public var codecs: [CodecKind]
    /// Whether RTX is accepted.
    public var retransmission: Bool
    /// Whether publisher simulcast is accepted.
    public var simulcast: Bool
    /// Media sections and rids one offer may have.
    public var limits: OfferLimits

    /// Capabilities from their keys.
    public init(
        codecs: [CodecKind], retransmission: Bool = true, simulcast: Bool = true, limits: OfferLimits = .default
    ) {
        self.codecs = codecs
        self.retransmission = retransmission
        self.simulcast = simulcast
        self.limits = limits
    }

    /// Opus, VP8, H.264, VP9; RTX and simulcast on.
    public static let `default` = MediaCapabilities(codecs: [.opus, .vp8, .h264, .vp9])

    /// The rank of `kind` in the preference order, nil when it is not accepted.
    func rank(of kind: CodecKind) -> Int? {
        codecs.firstIndex(of: kind)
    }
}
