import Foundation

/// Post-processing jobs (remux or transcode a finished recording to MP4), shared by every
/// recorder through the `jobs` table.
///
/// `claim` takes the oldest free job with `FOR UPDATE SKIP LOCKED`: a row another claimer
/// has locked is skipped rather than waited for, and the claim's UPDATE commits in the same
/// statement, so two recorders claiming at once never get the same job. A job is free when it
/// is queued, or running under a lease that ran out (its worker died or lost PostgreSQL for
/// longer than the lease): the worker renews the lease while it works (`renew`), and every
/// claim counts an attempt. `finish` and `renew` name the claim's attempt, so a worker whose
/// job was handed on cannot overwrite what the new worker writes.
public enum JobQueue {
    /// What a job does.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Copy the streams into an MP4 container (VP8, which MP4 cannot carry, is re-encoded).
        case remuxMP4 = "remux-mp4"
        /// Re-encode to H.264/AAC in MP4.
        case transcodeMP4 = "transcode-mp4"
    }

    /// Where a job is in its life.
    public enum State: String, Sendable, Codable, CaseIterable {
        /// Waiting for a worker.
        case queued
        /// A worker holds it (under a lease).
        case running
        /// Its output is written.
        case done
        /// It failed; `error` says why.
        case failed
    }

    /// A job a worker claimed.
    public struct Claim: Sendable, Equatable {
        /// The job's id.
        public var id: UUID
        /// The recording it works on.
        public var recording: UUID
        /// What to do.
        public var kind: Kind
        /// Which claim of the job this is (1 for the first); a reclaimed job's is higher.
        public var attempt: Int
    }

    /// One job as its row says, for the API.
    public struct Job: Sendable, Codable, Equatable {
        /// The job's id.
        public var id: UUID
        /// What it does.
        public var kind: Kind
        /// Where it is.
        public var state: State
        /// When it was queued.
        public var createdAt: Date
        /// The worker (node id) that holds or held it.
        public var claimedBy: String?
        /// How many times it was claimed.
        public var attempts: Int
        /// When it ended.
        public var finishedAt: Date?
        /// Its output file, relative to the worker's storage, once done.
        public var output: String?
        /// Why it failed.
        public var error: String?
    }

    /// How long a claim holds a job unless renewed.
    public static let defaultLease: Duration = .seconds(60)
    /// Claims after which a job whose lease ran out is failed instead of handed on.
    public static let maxAttempts = 3

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

    /// Claims the oldest free job for `worker` (a node id) for `lease`; nil when none is free.
    /// With `node`, only jobs of recordings catalogued on that node (a recorder whose files are
    /// on its own disk works on its own recordings). Jobs whose lease ran out after
    /// ``maxAttempts`` claims are failed first.
    public static func claim(
        worker: String, node: String? = nil, lease: Duration = defaultLease, on connection: PostgresConnection
    ) throws(PostgresError) -> Claim? {
        try connection.query(
            """
            UPDATE jobs SET state = 'failed', finished_at = now(),
                error = 'abandoned: its worker stopped renewing the lease ' || attempts || ' times'
            WHERE state = 'running' AND lease_until < now() AND attempts >= $1
            """, [String(maxAttempts)])
        let rows = try connection.query(
            """
            UPDATE jobs SET state = 'running', claimed_by = $1, claimed_at = now(),
                lease_until = now() + make_interval(secs => $2::float8), attempts = attempts + 1
            WHERE id = (
                SELECT id FROM jobs
                WHERE (state = 'queued' OR (state = 'running' AND lease_until < now()))
                  AND ($3::text IS NULL OR EXISTS (
                      SELECT 1 FROM recordings WHERE recordings.id = jobs.recording_id AND recordings.node = $3))
                ORDER BY created_at, id
                FOR UPDATE OF jobs SKIP LOCKED LIMIT 1
            )
            RETURNING id, recording_id, kind, attempts
            """, [worker, seconds(lease), node]
        ).rows
        guard let row = rows.first else { return nil }
        return Claim(
            id: try uuid(row, "id"), recording: try uuid(row, "recording_id"), kind: try value(row, "kind"),
            attempt: Int(try row.int("attempts")))
    }

    /// Extends `claim`'s lease by `lease` from now; false when the job is no longer this
    /// claim's (handed on after the lease ran out, or deleted with its recording).
    @discardableResult
    public static func renew(_ claim: Claim, lease: Duration = defaultLease, on connection: PostgresConnection)
        throws(PostgresError) -> Bool
    {
        try connection.query(
            """
            UPDATE jobs SET lease_until = now() + make_interval(secs => $3::float8)
            WHERE id = $1 AND state = 'running' AND attempts = $2
            """, [claim.id.uuidString, String(claim.attempt), seconds(lease)]
        ).affected == 1
    }

    /// Marks a claimed job done (with its output file) or failed (with the error); false when
    /// the job is no longer this claim's.
    @discardableResult
    public static func finish(_ claim: Claim, output: String?, error: String?, on connection: PostgresConnection)
        throws(PostgresError) -> Bool
    {
        try connection.query(
            """
            UPDATE jobs SET state = $3, output = $4, error = $5, finished_at = now(), lease_until = NULL
            WHERE id = $1 AND state = 'running' AND attempts = $2
            """, [claim.id.uuidString, String(claim.attempt), error == nil ? "done" : "failed", output, error]
        ).affected == 1
    }

    /// A recording's jobs, oldest first.
    public static func jobs(recording: UUID, on connection: PostgresConnection) throws(PostgresError) -> [Job] {
        var jobs: [Job] = []
        for row in try connection.query(
            """
            SELECT id, kind, state, extract(epoch FROM created_at) AS created, claimed_by, attempts,
                extract(epoch FROM finished_at) AS finished, output, error
            FROM jobs WHERE recording_id = $1 ORDER BY created_at, id
            """, [recording.uuidString]
        ).rows {
            jobs.append(
                Job(
                    id: try uuid(row, "id"), kind: try value(row, "kind"), state: try value(row, "state"),
                    createdAt: Date(timeIntervalSince1970: try row.double("created")),
                    claimedBy: try row.optionalString("claimed_by"), attempts: Int(try row.int("attempts")),
                    finishedAt: try row.optionalDouble("finished").map { Date(timeIntervalSince1970: $0) },
                    output: try row.optionalString("output"), error: try row.optionalString("error")))
        }
        return jobs
    }

    /// How many jobs are in each state (every state present, zero when none), for metrics.
    public static func counts(on connection: PostgresConnection) throws(PostgresError) -> [State: Int] {
        var counts = Dictionary(uniqueKeysWithValues: State.allCases.map { ($0, 0) })
        for row in try connection.query("SELECT state, count(*) AS n FROM jobs GROUP BY state").rows {
            let state: State = try value(row, "state")
            counts[state] = Int(try row.int("n"))
        }
        return counts
    }

    private static func seconds(_ duration: Duration) -> String {
        let parts = duration.components
        return String(Double(parts.seconds) + Double(parts.attoseconds) / 1e18)
    }
}

extension RecordingCatalog {
    /// Queues a job through the outbox (after the changes before it, e.g. the recording's end);
    /// returns its id.
    @discardableResult
    public func jobQueued(_ kind: JobQueue.Kind, recording: UUID) -> UUID {
        let id = UUID()
        record(.jobQueued(recording: recording, id: id, kind: kind))
        return id
    }

    /// Queues a job; straight to PostgreSQL (an API call needs the answer now).
    public func enqueueJob(_ kind: JobQueue.Kind, recording: UUID) async throws(PostgresError) -> UUID {
        try await client.withConnection { connection throws(PostgresError) in
            try JobQueue.enqueue(kind, recording: recording, on: connection)
        }
    }

    /// See ``JobQueue/claim(worker:node:lease:on:)``.
    public func claimJob(worker: String, node: String?, lease: Duration = JobQueue.defaultLease)
        async throws(PostgresError) -> JobQueue.Claim?
    {
        try await client.withConnection { connection throws(PostgresError) in
            try JobQueue.claim(worker: worker, node: node, lease: lease, on: connection)
        }
    }

    /// See ``JobQueue/renew(_:lease:on:)``.
    @discardableResult
    public func renewJob(_ claim: JobQueue.Claim, lease: Duration = JobQueue.defaultLease) async throws(PostgresError)
        -> Bool
    {
        try await client.withConnection { connection throws(PostgresError) in
            try JobQueue.renew(claim, lease: lease, on: connection)
        }
    }

    /// See ``JobQueue/finish(_:output:error:on:)``.
    @discardableResult
    public func finishJob(_ claim: JobQueue.Claim, output: String?, error: String?) async throws(PostgresError) -> Bool
    {
        try await client.withConnection { connection throws(PostgresError) in
            try JobQueue.finish(claim, output: output, error: error, on: connection)
        }
    }

    /// See ``JobQueue/jobs(recording:on:)``.
    public func jobs(recording: UUID) async throws(PostgresError) -> [JobQueue.Job] {
        try await client.withConnection { connection throws(PostgresError) in
            try JobQueue.jobs(recording: recording, on: connection)
        }
    }

    /// See ``JobQueue/counts(on:)``.
    public func jobCounts() async throws(PostgresError) -> [JobQueue.State: Int] {
        try await client.withConnection { connection throws(PostgresError) in
            try JobQueue.counts(on: connection)
        }
    }
}
