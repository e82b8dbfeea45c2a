extension CatalogMigration {
    /// Version 2: post-processing jobs (remux or transcode a finished recording), shared by
    /// every recorder: a worker claims the oldest queued job with `FOR UPDATE SKIP LOCKED`
    /// (`JobQueue.claim`), so two claimers never get the same job and never wait on each other.
    static let jobs = CatalogMigration(
        version: 2, name: "post-processing jobs",
        statements: [
            """
            CREATE TABLE jobs (
                id uuid PRIMARY KEY,
                recording_id uuid NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
                kind text NOT NULL CHECK (kind IN ('remux-mp4', 'transcode-mp4')),
                state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
                created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                claimed_by text,
                claimed_at timestamptz,
                finished_at timestamptz,
                output text,
                error text
            )
            """,
            "CREATE INDEX jobs_queued ON jobs (created_at, id) WHERE state = 'queued'",
        ])
}
