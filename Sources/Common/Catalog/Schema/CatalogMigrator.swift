/// Applies `CatalogMigration.all` that a database lacks, recording each in `schema_migrations`.
///
/// Everything runs in one transaction under a transaction-scoped advisory lock
/// (`pg_advisory_xact_lock`), so two recorders starting at once against an empty database do
/// not race: the second waits for the first to commit, then finds every version applied. A
/// failing migration rolls the whole run back and its error (with SQLSTATE) is thrown.
public enum CatalogMigrator {
    /// The advisory lock key: any fixed number other users of the database do not pick; this
    /// one is "meshcast" read as ASCII, truncated to 63 bits.
    public static let lockKey: Int64 = 0x6D_6573_6863_6173

    /// Applies what is missing; returns the versions applied by this call (empty when the
    /// schema was already current).
    @discardableResult
    public static func migrate(
        _ connection: PostgresConnection, migrations: [CatalogMigration] = CatalogMigration.all
    ) throws(PostgresError) -> [Int] {
        try connection.transaction { connection throws(PostgresError) in
            try connection.query("SELECT pg_advisory_xact_lock($1)", [String(lockKey)])
            try connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            var present = Set<Int>()
            for row in try connection.query("SELECT version FROM schema_migrations").rows {
                present.insert(Int(try row.int("version")))
            }
            var applied: [Int] = []
            for migration in migrations.sorted(by: { $0.version < $1.version })
            where !present.contains(migration.version) {
                for statement in migration.statements { try connection.query(statement) }
                try connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    [String(migration.version), migration.name])
                applied.append(migration.version)
            }
            return applied
        }
    }
}
