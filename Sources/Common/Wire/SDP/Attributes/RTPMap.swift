/// `a=rtpmap`: what a dynamic payload type means (RFC 8866 §6.6).
///
/// `a=rtpmap:111 opus/48000/2` maps payload type 111 to Opus at 48 kHz with 2 channels.
public struct RTPMap: Hashable, Sendable {
    /// The payload type from the m-line's format list, 0–127.
    public var payloadType: UInt8
    /// The encoding name as written, such as `opus`, `VP8`, `H264`, `rtx`.
    public var encodingName: String
    /// The RTP clock rate in Hz.
    public var clockRate: UInt32
    /// For audio, the channel count, when given.
    public var channels: UInt16?

    /// A mapping from its fields.
    public init(payloadType: UInt8, encodingName: String, clockRate: UInt32, channels: UInt16? = nil) {
        self.payloadType = payloadType
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.channels = channels
    }

    init(attributeValue: Substring) throws(SDPValueError) {
        let parts = SDPText.fields(attributeValue)
        guard parts.count == 2 else {
            throw SDPValueError(
                "a=rtpmap needs '<payload type> <encoding name>/<clock rate>[/<channels>]' (RFC 8866 §6.6)")
        }
        payloadType = try SDPText.payloadType(parts[0])
        let encoding = parts[1].split(separator: "/", omittingEmptySubsequences: false)
        guard encoding.count == 2 || encoding.count == 3, !encoding[0].isEmpty else {
            throw SDPValueError(
                "a=rtpmap encoding '\(parts[1])' is not '<name>/<clock rate>[/<channels>]' (RFC 8866 §6.6)")
        }
        encodingName = String(encoding[0])
        clockRate = try SDPText.number(encoding[1], "a=rtpmap clock rate")
        channels = encoding.count == 3 ? try SDPText.number(encoding[2], "a=rtpmap channel count") : nil
    }

    var attributeValue: String {
        var text = "\(payloadType) \(encodingName)/\(clockRate)"
        if let channels { text += "/\(channels)" }
        return text
    }
}
