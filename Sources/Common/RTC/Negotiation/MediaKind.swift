/// The kind of an RTP media section the node forwards (`m=audio` or `m=video`).
public enum MediaKind: String, Sendable, Hashable, CaseIterable {
    /// `m=audio`.
    case audio
    /// `m=video`.
    case video
}

/// A codec the node forwards. Which fmtp variants count is decided by ``MediaCapabilities``'s
/// matching rules (see `CodecRecognition.swift`).
public enum CodecKind: String, Sendable, Hashable, CaseIterable {
    /// Opus, `opus/48000/2` (RFC 7587 §7).
    case opus
    /// VP8, `VP8/90000` (RFC 7741 §6.1).
    case vp8
    /// VP9 profile 0, `VP9/90000` (RFC 9628).
    case vp9
    /// H.264 constrained baseline with packetization-mode=1, `H264/90000` (RFC 6184 §8.1).
    case h264

    /// The encoding name as `a=rtpmap` spells it.
    public var encodingName: String {
        switch self {
        case .opus: "opus"
        case .vp8: "VP8"
        case .vp9: "VP9"
        case .h264: "H264"
        }
    }

    /// The RTP clock rate the codec's payload format fixes.
    public var clockRate: UInt32 {
        switch self {
        case .opus: 48_000
        case .vp8, .vp9, .h264: 90_000
        }
    }

    /// The media kind the codec belongs to.
    public var mediaKind: MediaKind {
        switch self {
        case .opus: .audio
        case .vp8, .vp9, .h264: .video
        }
    }
}
