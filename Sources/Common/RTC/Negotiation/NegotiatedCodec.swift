/// One codec both sides agreed on for a media section, with its retransmission payload type and
/// feedback.
public struct NegotiatedCodec: Sendable, Hashable {
    /// The payload type, as the remote side numbered it in its offer.
    public var payloadType: UInt8
    /// Which codec.
    public var kind: CodecKind
    /// The RTP clock rate in Hz.
    public var clockRate: UInt32
    /// The channel count: 2 for Opus, 1 for video.
    public var channels: Int
    /// The `a=fmtp` parameters as offered, without the payload type
    /// (`minptime=10;useinbandfec=1`), or nil when none were offered.
    public var fmtp: String?
    /// The payload type of its RTX stream (RFC 4588 §8.6, `apt=`), when negotiated.
    public var rtxPayloadType: UInt8?
    /// The RTCP feedback messages allowed for this codec.
    public var feedback: RTCPFeedbackSet

    /// A codec from its fields.
    public init(
        payloadType: UInt8, kind: CodecKind, clockRate: UInt32, channels: Int, fmtp: String?,
        rtxPayloadType: UInt8?, feedback: RTCPFeedbackSet
    ) {
        self.payloadType = payloadType
        self.kind = kind
        self.clockRate = clockRate
        self.channels = channels
        self.fmtp = fmtp
        self.rtxPayloadType = rtxPayloadType
        self.feedback = feedback
    }
}
