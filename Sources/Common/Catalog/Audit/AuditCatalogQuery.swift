import MeshCluster

/// Reads `security_audit_log` for `meshcast audit --catalog`: the durable copy, which keeps what
/// the Redis stream has trimmed.
public enum AuditCatalogQuery {
    /// The records from `since` (milliseconds since 1970) on, oldest first, at most `limit`,
    /// only `actor`'s when given.
    public static func read(
        from postgres: PostgresClient, since: Int64?, actor: String?, limit: Int
    ) async throws(PostgresError) -> [AuditRecord] {
        let result = try await postgres.query(
            """
            SELECT (extract(epoch FROM at) * 1000)::bigint AS ms, actor, kid, action, target, client, request_id,
                result, node
            FROM security_audit_log
            WHERE ($1::bigint IS NULL OR stream_ms >= $1::bigint) AND ($2::text IS NULL OR actor = $2::text)
            ORDER BY stream_ms, stream_seq
            LIMIT $3::bigint
            """, [since.map(String.init), actor, String(limit)])
        return try result.rows.map { row throws(PostgresError) in
            AuditRecord(
                time: try row.int("ms"), actor: try row.string("actor"), keyID: try row.string("kid"),
                action: try row.string("action"), target: try row.string("target"), client: try row.string("client"),
                requestID: try row.string("request_id"), result: try row.string("result"), node: try row.string("node"))
        }
    }
}
