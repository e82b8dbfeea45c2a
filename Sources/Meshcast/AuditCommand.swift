import ArgumentParser
import Foundation
import MeshCatalog
import MeshCluster

/// `meshcast audit [--since T] [--actor A] [--limit N] [--topology FILE]`: prints the mesh's
/// audit log from its Redis stream, oldest first.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Print the audit log: who did what to what, from where, and how it ended.",
        discussion: """
            Reads the Redis stream \(AuditLog.streamKey) (the URL from the variable the topology \
            names, or MESHCAST_REDIS_URL without --topology); with --catalog, the table \
            security_audit_log of the catalog's PostgreSQL instead (its URL variable from the \
            topology, or MESHCAST_POSTGRES_URL), which keeps what the stream has trimmed. --since \
            takes seconds since 1970, an ISO 8601 time (2026-12-05T08:00:00Z), or an age: 90s, \
            15m, 2h, 1d.
            """)

    @Option(help: "Only calls from this time on.")
    var since: String?

    @Option(help: "Only calls by this actor (a token's subject, or cli:<user>).")
    var actor: String?

    @Option(help: "At most this many records.")
    var limit = 1000

    @Option(help: "The topology file whose Redis URL variable to read.")
    var topology: String?

    @Flag(help: "One JSON object per line instead of a table.")
    var json = false

    @Flag(help: "Read the catalog's security_audit_log instead of the Redis stream.")
    var catalog = false

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
        if let since, Self.milliseconds(since, now: Date()) == nil {
            throw ValidationError("--since must be seconds since 1970, an ISO 8601 time, or an age like 15m")
        }
    }

    func run() async throws {
        let start = since.flatMap { Self.milliseconds($0, now: Date()) }
        let records = catalog ? try await fromCatalog(since: start) : try await fromStream(since: start)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for record in records { print(String(decoding: try encoder.encode(record), as: UTF8.self)) }
            return
        }
        let rows = records.map { record in
            [
                Self.isoTime(record.time), record.actor, record.keyID, record.action, record.target, record.client,
                record.requestID, record.node, record.result,
            ]
        }
        print(
            TextTable.render(
                header: ["TIME", "ACTOR", "KID", "ACTION", "TARGET", "CLIENT", "REQUEST", "NODE", "RESULT"], rows: rows)
        )
    }

    private func fromStream(since start: Int64?) async throws -> [AuditRecord] {
        let client = try MeshRedis.operatorClient(command: "meshcast audit", topology: topology)
        do {
            let records = try await AuditLog.read(from: client, since: start, actor: actor, limit: limit)
            await client.shutdown()
            return records
        } catch {
            await client.shutdown()
            StandardError.write("meshcast audit: cannot read \(AuditLog.streamKey) at \(client.endpoint): \(error)")
            throw ExitCode.failure
        }
    }

    private func fromCatalog(since start: Int64?) async throws -> [AuditRecord] {
        var variable = SecretNames.defaultPostgresURLVariable
        if let topology {
            guard let loaded = TopologyPlanCommand.load(topology) else { throw ExitCode.failure }
            variable = loaded.secrets.catalogURLVariable
        }
        guard let url = ProcessInfo.processInfo.environment[variable], !url.isEmpty else {
            StandardError.write("meshcast audit: \(variable) is not set: --catalog needs the catalog's PostgreSQL URL")
            throw ExitCode.failure
        }
        let postgres = PostgresClient(url: url)
        do {
            let records = try await AuditCatalogQuery.read(from: postgres, since: start, actor: actor, limit: limit)
            await postgres.shutdown()
            return records
        } catch {
            await postgres.shutdown()
            StandardError.write("meshcast audit: cannot read security_audit_log: \(error)")
            throw ExitCode.failure
        }
    }

    /// `text` as milliseconds since 1970: whole seconds, ISO 8601, or an age before `now`.
    static func milliseconds(_ text: String, now: Date) -> Int64? {
        if let seconds = Int64(text), seconds >= 0 { return seconds * 1000 }
        if let date = ISO8601DateFormatter().date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        guard let unit = text.last, let count = Int64(text.dropLast()), count >= 0 else { return nil }
        let seconds: Int64? =
            switch unit {
            case "s": count
            case "m": count * 60
            case "h": count * 3600
            case "d": count * 86400
            default: nil
            }
        return seconds.map { Int64(now.timeIntervalSince1970 * 1000) - $0 * 1000 }
    }

    static func isoTime(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}
