extension CatalogMigration {
    /// Version 6: job leases. A running job holds a lease (`lease_until`) its worker renews
    /// while ffmpeg runs; a recorder that dies mid-job stops renewing, and once the lease has
    /// run out `JobQueue.claim` hands the job to another worker. `attempts` counts claims, so a
    /// job that kills its worker every time is failed after a few instead of looping forever.
    static let jobLeases = CatalogMigration(
        version: 6, name: "job leases",
        statements: [
            "ALTER TABLE jobs ADD COLUMN lease_until timestamptz",
            "ALTER TABLE jobs ADD COLUMN attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0)",
            "CREATE INDEX jobs_leased ON jobs (lease_until) WHERE state = 'running'",
            "CREATE INDEX jobs_by_recording ON jobs (recording_id, created_at)",
        ])
}
