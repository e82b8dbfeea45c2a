import Foundation

/// Post-processing jobs (remux or transcode a finished recording to MP4), shared by every
/// recorder through the `jobs` table.
///
/// `claim` takes the oldest queued job with `FOR UPDATE SKIP LOCKED`: a row another claimer
/// has locked is skipped rather than waited for, and the claim's UPDATE commits in the same
/// statement, so two recorders claiming at once never get the same job.
public enum JobQueue {
    /// What a job does.
    public enum Kind: String, Sendable, CaseIterable {
        /// Copy the streams into an MP4 container.
        case remuxMP4 = "remux-mp4"
        /// Re-encode to H.264/AAC in MP4.
        case transcodeMP4 = "transcode-mp4"
    }

    /// A job a worker claimed.
    public struct Claim: Sendable, Equatable {
        /// The job's id.
        public var id: UUID
        /// The recording it works on.
        public var recording: UUID
        /// What to do.
        public var kind: Kind
    }

    /// Queues a job for `recording`; returns its id.
    @discardableResult
    public static func enqueue(_ kind: Kind, recording: UUID, id: UUID = UUID(), on connection: PostgresConnection)
        throws(PostgresError) -> UUID
    {
        try connection.query(
            "INSERT INTO jobs (id, recording_id, kind) VALUES ($1, $2, $3)",
            [id.uuidString, recording.uuidString, kind.rawValue])
        return id
    }

    /// Claims the oldest queued job for `worker` (a node id); nil when none is free.
    public static func claim(worker: String, on connection: PostgresConnection) throws(PostgresError) -> Claim? {
        let rows = try connection.query(
            """
            UPDATE jobs SET state = 'running', claimed_by = $1, claimed_at = now()
            WHERE id = (
                SELECT id FROM jobs WHERE state = 'queued' ORDER BY created_at, id
                FOR UPDATE SKIP LOCKED LIMIT 1
            )
            RETURNING id, recording_id, kind
            """, [worker]
        ).rows
        guard let row = rows.first else { return nil }
        return Claim(id: try uuid(row, "id"), recording: try uuid(row, "recording_id"), kind: try value(row, "kind"))
    }

    /// Marks a claimed job done (with its output file) or failed (with the error).
    public static func finish(_ id: UUID, output: String?, error: String?, on connection: PostgresConnection)
        throws(PostgresError)
    {
        try connection.query(
            """
            UPDATE jobs SET state = $2, output = $3, error = $4, finished_at = now()
            WHERE id = $1 AND state = 'running'
            """, [id.uuidString, error == nil ? "done" : "failed", output, error])
    }
}
