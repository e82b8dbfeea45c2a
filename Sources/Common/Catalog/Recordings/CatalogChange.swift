import Foundation

/// One write to the catalog, as the outbox queues and journals it. Each is idempotent (keyed
/// by client-generated ids, applied as an upsert that never moves a row backwards), so
/// replaying a journal whose head was already applied changes nothing.
public enum CatalogChange: Sendable, Codable, Equatable {
    /// A recording began.
    case recordingStarted(Recording)
    /// A recording gained a track.
    case trackAdded(recording: UUID, RecordedTrack)
    /// A segment was opened, closed or recovered (its `state` says which).
    case segment(recording: UUID, RecordedSegment)
    /// A gap was bridged.
    case gap(recording: UUID, RecordedGap)
    /// A recording stopped (`error` nil) or failed; its totals at that moment.
    case recordingEnded(recording: UUID, at: Date, bytes: Int64, duration: Double, error: String?)
    /// A recorder started again: its recordings begun before `before` that are still
    /// `recording` were cut off by a crash (killed with no segment open, so recovery found no
    /// `.part` of theirs) and fail with `error`.
    case recordingsInterrupted(node: String, before: Date, error: String)
    /// A post-processing job was queued for a recording (its policy asks for an MP4). Through
    /// the outbox, after the recording's end, so the job is never claimed before the catalog
    /// says the recording stopped, and a PostgreSQL outage at the stop loses no job.
    case jobQueued(recording: UUID, id: UUID, kind: JobQueue.Kind)

    /// The recording it belongs to; nil for a change about a node's recordings.
    public var recording: UUID? {
        switch self {
        case .recordingStarted(let recording): recording.id
        case .trackAdded(let id, _), .segment(let id, _), .gap(let id, _): id
        case .recordingEnded(let id, _, _, _, _): id
        case .jobQueued(let id, _, _): id
        case .recordingsInterrupted: nil
        }
    }
}
