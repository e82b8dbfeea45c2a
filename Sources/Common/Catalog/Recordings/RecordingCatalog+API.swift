import Foundation

/// The calls the recorder makes: each builds a `CatalogChange` and hands it to the outbox, so
/// none of them waits for PostgreSQL or fails when it is away.
extension RecordingCatalog {
    /// Catalogues a new recording and returns its id.
    @discardableResult
    public func recordingStarted(
        stream: String, node: String, policy: String? = nil, layers: RecordingLayers = .top, at time: Date = Date()
    ) -> UUID {
        let recording = Recording(stream: stream, node: node, startedAt: time, policy: policy, layers: layers)
        record(.recordingStarted(recording))
        return recording.id
    }

    /// Adds a track to a recording.
    public func trackAdded(_ track: RecordedTrack, to recording: UUID) {
        record(.trackAdded(recording: recording, track))
    }

    /// A segment file was opened (`.part`) at `start` seconds into the recording, its video
    /// from the simulcast layer `rid` (nil: none, or every layer).
    public func segmentOpened(_ sequence: Int, file: String, start: Double, rid: String? = nil, in recording: UUID) {
        record(
            .segment(
                recording: recording,
                RecordedSegment(sequence: sequence, file: file, state: .open, start: start, rid: rid)))
    }

    /// A segment was closed (or, with `state: .recovered`, recovered after a crash).
    public func segmentClosed(_ segment: RecordedSegment, in recording: UUID) {
        record(.segment(recording: recording, segment))
    }

    /// A gap was bridged.
    public func gap(_ gap: RecordedGap, in recording: UUID) {
        record(.gap(recording: recording, gap))
    }

    /// A recording stopped normally, with its totals.
    public func recordingStopped(_ recording: UUID, bytes: Int64, duration: Double, at time: Date = Date()) {
        record(.recordingEnded(recording: recording, at: time, bytes: bytes, duration: duration, error: nil))
    }

    /// A recording failed; `error` is what the operator reads.
    public func recordingFailed(
        _ recording: UUID, error: String, bytes: Int64, duration: Double, at time: Date = Date()
    ) {
        record(.recordingEnded(recording: recording, at: time, bytes: bytes, duration: duration, error: error))
    }

    /// `node` started again: its recordings begun before `time` and still `recording` fail
    /// with `error` (see ``CatalogChange/recordingsInterrupted(node:before:error:)``).
    public func recordingsInterrupted(node: String, error: String, before time: Date = Date()) {
        record(.recordingsInterrupted(node: node, before: time, error: error))
    }

    // MARK: Reads (straight to PostgreSQL)

    /// A page of recordings, newest first.
    public func list(_ filter: RecordingFilter = RecordingFilter()) async throws(PostgresError) -> RecordingPage {
        try await client.withConnection { connection throws(PostgresError) in
            try CatalogQueries.list(filter, on: connection)
        }
    }

    /// One recording with its tracks, segments and gaps; nil when there is none. Changes still
    /// in the outbox are not in it yet (`lag.pending` says how many).
    public func detail(_ id: UUID) async throws(PostgresError) -> RecordingDetail? {
        try await client.withConnection { connection throws(PostgresError) in
            try CatalogQueries.detail(id, on: connection)
        }
    }

    /// Deletes a recording's rows; false when there was none.
    @discardableResult
    public func delete(_ id: UUID) async throws(PostgresError) -> Bool {
        try await client.withConnection { connection throws(PostgresError) in
            try CatalogQueries.delete(id, on: connection)
        }
    }
}
