extension CatalogMigration {
    /// Version 4: retention. A recording whose files a recorder's sweeper deleted keeps its row
    /// (what was recorded, when, how much) with `expired_at` set; the partial index finds a
    /// node's ended, unexpired recordings without reading the expired ones.
    static let retention = CatalogMigration(
        version: 4, name: "recording retention",
        statements: [
            "ALTER TABLE recordings ADD COLUMN expired_at timestamptz",
            """
            CREATE INDEX recordings_unexpired ON recordings (node, policy, stopped_at)
            WHERE expired_at IS NULL AND state <> 'recording'
            """,
        ])
}
