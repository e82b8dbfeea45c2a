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

    /// The recording it belongs to.
    public var recording: UUID {
        switch self {
        case .recordingStarted(let recording): recording.id
        case .trackAdded(let id, _), .segment(let id, _), .gap(let id, _): id
        case .recordingEnded(let id, _, _, _, _): id
        }
    }
}
