import Foundation

/// Where a recording is in its life.
public enum RecordingState: String, Sendable, Codable, CaseIterable {
    /// Being written.
    case recording
    /// Stopped on request or because its stream ended; its segments are closed.
    case stopped
    /// Ended by an error (disk full, storage gone); what was written is kept.
    case failed
}

/// Which simulcast layers a recording keeps.
public enum RecordingLayers: String, Sendable, Codable, CaseIterable {
    /// The best layer, switching only at key frames.
    case top
    /// Every layer.
    case all
}

/// The state of one segment file.
public enum SegmentState: String, Sendable, Codable, CaseIterable {
    /// Being written (`.part`).
    case open
    /// Closed normally (Cues, Duration, fsync, rename).
    case closed
    /// Cut back to its last complete cluster and closed after a crash.
    case recovered
}

/// An audio or a video track.
public enum TrackKind: String, Sendable, Codable, CaseIterable {
    /// Audio (Opus).
    case audio
    /// Video (VP8, VP9, H.264).
    case video
}

/// One recording, as its row says.
public struct Recording: Sendable, Codable, Equatable {
    /// Client-generated, so a replayed write finds the same row.
    public var id: UUID
    /// The stream recorded.
    public var stream: String
    /// The recorder node writing it.
    public var node: String
    /// Where it is in its life.
    public var state: RecordingState
    /// When it started.
    public var startedAt: Date
    /// When it stopped or failed; nil while recording.
    public var stoppedAt: Date?
    /// The topology policy that started it; nil for one started through the API.
    public var policy: String?
    /// Which layers it keeps.
    public var layers: RecordingLayers
    /// Bytes written so far (all segments).
    public var bytes: Int64
    /// Media seconds written so far.
    public var duration: Double
    /// Why it failed, if it did.
    public var error: String?
    /// When its retention ran out and its files were deleted; nil while they are kept.
    public var expiredAt: Date?

    /// Creates a recording row in the `recording` state.
    public init(
        id: UUID = UUID(), stream: String, node: String, startedAt: Date = Date(), policy: String? = nil,
        layers: RecordingLayers = .top
    ) {
        self.id = id
        self.stream = stream
        self.node = node
        self.state = .recording
        self.startedAt = startedAt
        self.policy = policy
        self.layers = layers
        self.bytes = 0
        self.duration = 0
    }
}

/// One track of a recording: its Matroska track number, kind and codec.
public struct RecordedTrack: Sendable, Codable, Equatable {
    /// The Matroska track number (from 1).
    public var number: Int
    /// Audio or video.
    public var kind: TrackKind
    /// The codec name (`VP8`, `VP9`, `H264`, `opus`).
    public var codec: String
    /// The mesh SSRC it was recorded from (at the start, for a `layers: top` track).
    public var ssrc: UInt32?
    /// The simulcast layer it holds, for a `layers: all` recording's video; nil otherwise.
    public var rid: String?

    /// Creates a track.
    public init(number: Int, kind: TrackKind, codec: String, ssrc: UInt32? = nil, rid: String? = nil) {
        self.number = number
        self.kind = kind
        self.codec = codec
        self.ssrc = ssrc
        self.rid = rid
    }
}

/// One segment file of a recording.
public struct RecordedSegment: Sendable, Codable, Equatable {
    /// Its place in the recording, from 0.
    public var sequence: Int
    /// Its file, relative to the recorder's storage.
    public var file: String
    /// Open, closed or recovered.
    public var state: SegmentState
    /// Seconds from the recording's start to its first frame.
    public var start: Double
    /// Media seconds it holds (0 while open).
    public var duration: Double
    /// Its size in bytes (0 while open).
    public var bytes: Int64
    /// Frames it holds (0 while open).
    public var frames: Int64
    /// The SHA-256 of the closed file, lowercase hex; nil while open.
    public var sha256: String?
    /// The simulcast layer its video holds (`layers: top` follows the best live layer and starts
    /// a segment where it moves); nil without simulcast, with `layers: all`, or unknown (recovered).
    public var rid: String?

    /// Creates a segment.
    public init(
        sequence: Int, file: String, state: SegmentState, start: Double, duration: Double = 0, bytes: Int64 = 0,
        frames: Int64 = 0, sha256: String? = nil, rid: String? = nil
    ) {
        self.rid = rid
        self.sequence = sequence
        self.file = file
        self.state = state
        self.start = start
        self.duration = duration
        self.bytes = bytes
        self.frames = frames
        self.sha256 = sha256
    }
}

/// A stretch of a recording with no media, and why.
public struct RecordedGap: Sendable, Codable, Equatable {
    /// Client-generated, so a replayed gap is not counted twice.
    public var id: UUID
    /// Seconds from the recording's start.
    public var at: Double
    /// How long it lasted, in seconds.
    public var duration: Double
    /// Why: `loss`, `publisher-reconnect`, `link-move`, `disk-full`...
    public var reason: String

    /// Creates a gap.
    public init(id: UUID = UUID(), at: Double, duration: Double, reason: String) {
        self.id = id
        self.at = at
        self.duration = duration
        self.reason = reason
    }
}

/// A recording with its tracks, segments (by sequence) and gaps (by time).
public struct RecordingDetail: Sendable, Equatable {
    /// The recording's row.
    public var recording: Recording
    /// Its tracks, by number.
    public var tracks: [RecordedTrack]
    /// Its segments, by sequence.
    public var segments: [RecordedSegment]
    /// Its gaps, by time.
    public var gaps: [RecordedGap]
}
