/// A stretch of a track the recording does not have, for the caller to catalogue: where it
/// began and where the track resumed (RTP timestamps of the track; map them to wall time with
/// ``TrackClock``), and why.
public struct RecordingGap: Equatable, Sendable {
    /// Why frames were dropped.
    public enum Reason: Equatable, Sendable {
        /// Packets never arrived (a sequence number jump): the frames they belonged to are
        /// dropped, and video waits for the next key frame.
        case packetLoss
        /// A payload did not parse as its codec (RFC 7741, RFC 9628, RFC 6184, RFC 6716 rules).
        case malformedPayload
    }

    /// The reason the gap opened.
    public let reason: Reason
    /// The RTP timestamp of the first frame dropped (the frame being assembled, or the packet
    /// that revealed the loss).
    public let startRTPTimestamp: UInt32
    /// The RTP timestamp of the first frame written again (a key frame for video).
    public let endRTPTimestamp: UInt32
    /// RTP packets known lost (from sequence numbers) while the gap was open.
    public let lostPackets: Int
    /// Whole frames that arrived but were dropped (broken, or waiting for a key frame).
    public let droppedFrames: Int
}

/// A whole frame a depacketizer assembled; `bytes` are valid only until its next `push`.
public struct AssembledFrame {
    /// The frame's RTP timestamp.
    public let rtpTimestamp: UInt32
    /// Whether a decoder can start here (always true for Opus).
    public let isKeyFrame: Bool
    /// The frame as Matroska stores it (for H.264: 4-byte length-prefixed NAL units).
    public let bytes: UnsafeRawBufferPointer
}

/// What a depacketizer hands its caller for one packet: a frame, a closed gap, or both.
public enum DepacketizerEvent {
    /// A whole frame.
    case frame(AssembledFrame)
    /// A gap that just ended (reported before the frame that ends it).
    case gap(RecordingGap)
}
