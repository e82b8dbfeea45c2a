extension CatalogMigration {
    /// Version 1: recordings with their tracks, segments and gaps.
    ///
    /// Ids are client-generated UUIDs, so a row written again after an outage (the outbox
    /// replays its journal) lands on the same key instead of doubling. Times inside a recording
    /// (segment starts, gap positions) are seconds from the recording's start; wall-clock times
    /// are `timestamptz`.
    static let recordings = CatalogMigration(
        version: 1, name: "recordings, tracks, segments, gaps",
        statements: [
            """
            CREATE TABLE recordings (
                id uuid PRIMARY KEY,
                stream text NOT NULL,
                node text NOT NULL,
                state text NOT NULL CHECK (state IN ('recording', 'stopped', 'failed')),
                started_at timestamptz NOT NULL,
                stopped_at timestamptz,
                policy text,
                layers text NOT NULL CHECK (layers IN ('top', 'all')),
                bytes bigint NOT NULL DEFAULT 0 CHECK (bytes >= 0),
                duration double precision NOT NULL DEFAULT 0 CHECK (duration >= 0),
                error text
            )
            """,
            "CREATE INDEX recordings_by_stream ON recordings (stream, started_at DESC, id)",
            "CREATE INDEX recordings_by_state ON recordings (state, started_at DESC, id)",
            "CREATE INDEX recordings_by_start ON recordings (started_at DESC, id)",
            """
            CREATE TABLE tracks (
                recording_id uuid NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
                number integer NOT NULL CHECK (number > 0),
                kind text NOT NULL CHECK (kind IN ('audio', 'video')),
                codec text NOT NULL,
                ssrc bigint,
                PRIMARY KEY (recording_id, number)
            )
            """,
            """
            CREATE TABLE segments (
                recording_id uuid NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
                sequence integer NOT NULL CHECK (sequence >= 0),
                file text NOT NULL,
                state text NOT NULL CHECK (state IN ('open', 'closed', 'recovered')),
                start double precision NOT NULL CHECK (start >= 0),
                duration double precision NOT NULL DEFAULT 0 CHECK (duration >= 0),
                bytes bigint NOT NULL DEFAULT 0 CHECK (bytes >= 0),
                frames bigint NOT NULL DEFAULT 0 CHECK (frames >= 0),
                sha256 text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
                PRIMARY KEY (recording_id, sequence)
            )
            """,
            """
            CREATE TABLE gaps (
                id uuid PRIMARY KEY,
                recording_id uuid NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
                at double precision NOT NULL CHECK (at >= 0),
                duration double precision NOT NULL CHECK (duration >= 0),
                reason text NOT NULL
            )
            """,
            "CREATE INDEX gaps_by_recording ON gaps (recording_id, at)",
        ])
}
