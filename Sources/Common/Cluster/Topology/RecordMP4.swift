/// An MP4 a `policies.record` pattern asks for when one of its recordings stops:
/// `record: [{match: "event-*", mp4: remux}]`. The recorder queues a post-processing job
/// (`remux-mp4` or `transcode-mp4`) that writes `recording.mp4` beside the segments.
public struct RecordMP4: Sendable, Equatable, Codable {
    /// How the MP4 is made.
    public enum Mode: String, Sendable, Equatable, Codable, CaseIterable {
        /// The streams copied into MP4 (VP8, which MP4 cannot carry, is re-encoded to H.264).
        case remux
        /// Re-encoded to H.264 and AAC, which every player plays.
        case transcode
    }

    /// The record pattern it belongs to.
    public var pattern: StreamPattern
    /// How the MP4 is made.
    public var mode: Mode

    /// Creates an MP4 rule.
    public init(pattern: StreamPattern, mode: Mode) {
        self.pattern = pattern
        self.mode = mode
    }
}
