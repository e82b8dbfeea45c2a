import Foundation
import MeshCatalog
import MeshControl
import Synchronization

/// The recorder's webhook events (issue 15, item 7), read off its catalog changes (every
/// recording start, segment and end already goes through the catalog, so nothing in the
/// recording path reports twice or is missed): `recording.started` with the stream,
/// `recording.segment_closed` for each closed (or recovered) segment, `recording.stopped` at
/// the end, with `error` when it failed. Segments opened, tracks and gaps are not events.
final class RecordingWebhooks: Sendable {
    private let events: WebhookEvents
    /// The stream of each recording in progress, for the events that name only the recording.
    private let streams = Mutex<[UUID: String]>([:])

    init(events: WebhookEvents) {
        self.events = events
    }

    /// Reports `change`, if it is an event.
    func handle(_ change: CatalogChange) {
        switch change {
        case .recordingStarted(let recording):
            streams.withLock { $0[recording.id] = recording.stream }
            events.report(
                .recordingStarted, stream: recording.stream, recording: .init(id: recording.id.uuidString))
        case .segment(let id, let segment) where segment.state != .open:
            events.report(
                .recordingSegmentClosed, stream: streams.withLock { $0[id] },
                recording: .init(id: id.uuidString, segment: segment.sequence))
        case .recordingEnded(let id, _, _, _, let error):
            let stream = streams.withLock { $0.removeValue(forKey: id) }
            events.report(.recordingStopped, stream: stream, recording: .init(id: id.uuidString, error: error))
        case .segment, .trackAdded, .gap, .recordingsInterrupted, .jobQueued:
            break
        }
    }
}
