/// One versioned change to the catalog's schema: a number, a name, and its statements (one per
/// string: the extended query protocol that carries parameters takes one statement at a time).
///
/// Migrations are append-only: a released one is never edited, a change is a new version.
public struct CatalogMigration: Sendable, Equatable {
    /// The version, strictly increasing from 1.
    public let version: Int
    /// What it does, for `schema_migrations.name` and logs.
    public let name: String
    /// Its SQL statements, run in order in the migrator's transaction.
    public let statements: [String]

    /// Creates a migration.
    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }

    /// Every migration of the catalog, in order.
    public static let all: [CatalogMigration] = [
        .recordings, .jobs, .securityAuditLog, .retention, .recordedLayers, .jobLeases,
    ]
}
