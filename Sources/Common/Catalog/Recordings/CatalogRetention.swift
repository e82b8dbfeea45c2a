import Foundation

/// The catalog's side of retention: which of a node's ended recordings a policy no longer
/// keeps, and marking them expired once their files are gone. Only `stopped` and `failed`
/// recordings with a stop time are ever returned: one still `recording` (or whose end is not
/// catalogued yet) is never a candidate, whatever its age.
public enum CatalogRetention {
    /// Recordings of `node` started by the policy written `policy`, ended more than `seconds`
    /// ago and not expired yet, oldest first, at most `limit`. The age is PostgreSQL's `now()`
    /// against the catalogued stop time, both wall-clock.
    public static func due(
        node: String, policy: String, seconds: Int, limit: Int = 100, on connection: PostgresConnection
    ) throws(PostgresError) -> [UUID] {
        var ids: [UUID] = []
        for row in try connection.query(
            """
            SELECT id FROM recordings
            WHERE node = $1 AND policy = $2 AND state <> 'recording' AND expired_at IS NULL
              AND stopped_at < now() - make_interval(secs => $3::float8)
            ORDER BY stopped_at, id LIMIT $4
            """, [node, policy, String(seconds), String(max(limit, 1))]
        ).rows {
            ids.append(try uuid(row, "id"))
        }
        return ids
    }

    /// Marks an ended recording expired (its files deleted); false when it is unknown, still
    /// recording, or expired already, so marking twice is harmless.
    @discardableResult
    public static func markExpired(_ id: UUID, on connection: PostgresConnection) throws(PostgresError) -> Bool {
        try connection.query(
            """
            UPDATE recordings SET expired_at = now()
            WHERE id = $1 AND state <> 'recording' AND expired_at IS NULL
            """, [id.uuidString]
        ).affected == 1
    }
}

extension RecordingCatalog {
    /// See ``CatalogRetention/due(node:policy:seconds:limit:on:)``; straight to PostgreSQL, so
    /// it throws while PostgreSQL is away (the sweeper tries again later).
    public func expiredRecordings(node: String, policy: String, seconds: Int) async throws(PostgresError) -> [UUID] {
        try await client.withConnection { connection throws(PostgresError) in
            try CatalogRetention.due(node: node, policy: policy, seconds: seconds, on: connection)
        }
    }

    /// See ``CatalogRetention/markExpired(_:on:)``.
    @discardableResult
    public func markExpired(_ id: UUID) async throws(PostgresError) -> Bool {
        try await client.withConnection { connection throws(PostgresError) in
            try CatalogRetention.markExpired(id, on: connection)
        }
    }
}
