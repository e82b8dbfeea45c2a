import MeshCluster

/// Copies the mesh's audit stream (`AuditLog`, the Redis stream `{audit}:log`) into the
/// catalog's `security_audit_log` table (issue 15, item 5), when the node has a catalog.
///
/// The stream is the outbox: nodes append to it without waiting for PostgreSQL, and the copy
/// catches up after a PostgreSQL outage from the newest entry the table holds. Each pass reads
/// up to 500 entries after that one and inserts them in one transaction with
/// `ON CONFLICT (stream_id) DO NOTHING`, so copiers on several nodes, or a pass retried after
/// a failed commit, never insert a record twice. What the stream trimmed (beyond its 100,000
/// newest entries) before a copy reached it is not copied.
public final class AuditCatalogCopier: Sendable {
    /// The mesh's Redis, where the stream is.
    public let redis: RedisClient
    /// The catalog.
    public let postgres: PostgresClient

    /// A copier from `redis`'s audit stream to `postgres`'s table (migrated to version 3 or later).
    public init(redis: RedisClient, postgres: PostgresClient) {
        self.redis = redis
        self.postgres = postgres
    }

    /// Why a pass failed: which side.
    public enum Failure: Error {
        /// The stream could not be read.
        case redis(RedisError)
        /// The table could not be read or written.
        case postgres(PostgresError)
    }

    /// Copies up to `limit` entries after the newest one the table holds; returns how many
    /// were read from the stream.
    @discardableResult
    public func copyOnce(limit: Int = 500) async throws(Failure) -> Int {
        let newest: String?
        do {
            let result = try await postgres.query(
                "SELECT stream_id FROM security_audit_log ORDER BY stream_ms DESC, stream_seq DESC LIMIT 1")
            newest = try result.rows.first?.string("stream_id")
        } catch {
            throw .postgres(error)
        }
        let entries: [(id: String, record: AuditRecord)]
        do {
            entries = try await AuditLog.entries(from: redis, start: newest.map { "(" + $0 } ?? "-", count: limit)
        } catch {
            throw .redis(error)
        }
        guard !entries.isEmpty else { return 0 }
        let rows = entries.compactMap { entry -> [String?]? in
            let parts = entry.id.split(separator: "-")
            guard parts.count == 2, let milliseconds = Int64(parts[0]), let sequence = Int64(parts[1]) else {
                return nil
            }
            let record = entry.record
            return [
                entry.id, String(milliseconds), String(sequence), String(record.time), record.actor, record.keyID,
                record.action, record.target, record.client, record.requestID, record.result, record.node,
            ]
        }
        do {
            try await postgres.transaction { connection throws(PostgresError) in
                for row in rows {
                    try connection.query(
                        """
                        INSERT INTO security_audit_log (stream_id, stream_ms, stream_seq, at, actor, kid, action,
                            target, client, request_id, result, node)
                        VALUES ($1, $2, $3, to_timestamp($4::double precision / 1000), $5, $6, $7, $8, $9, $10, $11,
                            $12)
                        ON CONFLICT (stream_id) DO NOTHING
                        """, row)
                }
            }
        } catch {
            throw .postgres(error)
        }
        return entries.count
    }

    /// Copies every `interval` (at once again while a pass finds a full page) until cancelled;
    /// a failed pass is retried on the next tick.
    public func run(every interval: Duration = .milliseconds(500)) async {
        while !Task.isCancelled {
            let copied = (try? await copyOnce()) ?? 0
            if copied < 500 { try? await Task.sleep(for: interval) }
        }
    }
}
