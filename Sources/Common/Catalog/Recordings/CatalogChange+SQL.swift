import Foundation

extension CatalogChange {
    /// Writes the change on `connection` (inside the outbox's transaction). Inserts of a row
    /// that exists do nothing; a segment moves only forward (`open` to `closed`/`recovered`);
    /// an ended recording is not ended again. So applying a change twice is applying it once.
    func apply(on connection: PostgresConnection) throws(PostgresError) {
        switch self {
        case .recordingStarted(let recording):
            try connection.query(
                """
                INSERT INTO recordings (id, stream, node, state, started_at, policy, layers)
                VALUES ($1, $2, $3, 'recording', to_timestamp($4), $5, $6)
                ON CONFLICT (id) DO NOTHING
                """,
                [
                    recording.id.uuidString, recording.stream, recording.node, sql(recording.startedAt),
                    recording.policy, recording.layers.rawValue,
                ])
        case .trackAdded(let id, let track):
            try connection.query(
                """
                INSERT INTO tracks (recording_id, number, kind, codec, ssrc, rid) VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (recording_id, number) DO NOTHING
                """,
                [
                    id.uuidString, String(track.number), track.kind.rawValue, track.codec,
                    track.ssrc.map { String($0) }, track.rid,
                ])
        case .segment(let id, let segment):
            try connection.query(
                """
                INSERT INTO segments (recording_id, sequence, file, state, start, duration, bytes, frames, sha256, rid)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                ON CONFLICT (recording_id, sequence) DO UPDATE SET
                    file = excluded.file, state = excluded.state, start = excluded.start,
                    duration = excluded.duration, bytes = excluded.bytes, frames = excluded.frames,
                    sha256 = excluded.sha256, rid = COALESCE(excluded.rid, segments.rid)
                WHERE segments.state = 'open'
                """,
                [
                    id.uuidString, String(segment.sequence), segment.file, segment.state.rawValue,
                    String(segment.start), String(segment.duration), String(segment.bytes), String(segment.frames),
                    segment.sha256, segment.rid,
                ])
        case .gap(let id, let gap):
            try connection.query(
                """
                INSERT INTO gaps (id, recording_id, at, duration, reason) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (id) DO NOTHING
                """,
                [gap.id.uuidString, id.uuidString, String(gap.at), String(gap.duration), gap.reason])
        case .recordingEnded(let id, let at, let bytes, let duration, let error):
            try connection.query(
                """
                UPDATE recordings SET state = $2, stopped_at = to_timestamp($3), bytes = $4, duration = $5, error = $6
                WHERE id = $1 AND state = 'recording'
                """,
                [
                    id.uuidString, (error == nil ? RecordingState.stopped : .failed).rawValue, sql(at),
                    String(bytes), String(duration), error,
                ])
        case .recordingsInterrupted(let node, let before, let error):
            try connection.query(
                """
                UPDATE recordings SET state = 'failed', stopped_at = to_timestamp($2), error = $3
                WHERE node = $1 AND state = 'recording' AND started_at < to_timestamp($2)
                """,
                [node, sql(before), error])
        case .jobQueued(let recording, let id, let kind):
            try connection.query(
                "INSERT INTO jobs (id, recording_id, kind) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
                [id.uuidString, recording.uuidString, kind.rawValue])
        }
    }
}

/// A time as `to_timestamp`'s argument: seconds since 1970.
func sql(_ date: Date) -> String {
    String(date.timeIntervalSince1970)
}
