import Foundation

/// One stream that a node moved to another upstream: because the link to its upstream went
/// silent (a failover) or because that upstream was being drained (a hand-off).
public struct FailoverRecord: Sendable, Equatable, Codable {
    /// Why the stream moved.
    public enum Cause: String, Sendable, Equatable, Codable {
        /// The link from the upstream heard nothing for the liveness timeout.
        case upstreamLost = "upstream lost"
        /// The upstream was draining; the stream moved before the old link was dropped.
        case upstreamDraining = "upstream draining"
    }

    /// Wall-clock milliseconds since 1970 when the move ended.
    public var at: UInt64
    /// The node that moved the stream (the downstream end).
    public var node: String
    /// The stream.
    public var stream: String
    /// The upstream it left.
    public var from: String
    /// The upstream it came from afterwards; `nil` when no new path was found.
    public var to: String?
    /// Why it moved.
    public var cause: Cause
    /// How long finding and joining the new path took, in ms.
    public var milliseconds: Int
    /// Why no new path was found, when none was.
    public var failure: String?

    /// A record from its parts.
    public init(
        at: UInt64, node: String, stream: String, from: String, to: String?, cause: Cause, milliseconds: Int,
        failure: String? = nil
    ) {
        self.at = at
        self.node = node
        self.stream = stream
        self.from = from
        self.to = to
        self.cause = cause
        self.milliseconds = milliseconds
        self.failure = failure
    }
}

/// The mesh's recent failovers in Redis, newest first: one list, `failovers:{mesh}`, of JSON
/// records, cut to ``capacity`` on every write, so it stays bounded whatever happens. Written by
/// the node that moved a stream; read by `GET /v1/mesh`. Nothing places by it.
public struct FailoverLog: Sendable {
    /// The list's key (the mesh-wide hash tag, like the publisher claims).
    static let key = "failovers:{mesh}"
    /// The client.
    public let client: RedisClient
    /// How many records the list keeps.
    public let capacity: Int

    /// The log over `client`, keeping `capacity` records.
    public init(client: RedisClient, capacity: Int = 50) {
        self.client = client
        self.capacity = max(capacity, 1)
    }

    /// Adds `record` at the head and drops what falls past ``capacity``.
    public func record(_ record: FailoverRecord) async throws(RedisError) {
        let json: Data
        do {
            json = try JSONEncoder().encode(record)
        } catch {
            throw .unexpectedReply("a failover record does not encode: \(error)")
        }
        _ = try await client.pipeline([
            ["LPUSH", Self.key, String(decoding: json, as: UTF8.self)],
            ["LTRIM", Self.key, "0", String(capacity - 1)],
        ]).throwingFirstError()
    }

    /// The newest `limit` records, newest first; an unreadable one is skipped.
    public func recent(limit: Int = 20) async throws(RedisError) -> [FailoverRecord] {
        guard limit > 0 else { return [] }
        let reply = try await client.command(["LRANGE", Self.key, "0", String(limit - 1)])
        guard case .array(let items) = reply else { return [] }
        return items.compactMap { item -> FailoverRecord? in
            guard let text = item.string else { return nil }
            return try? JSONDecoder().decode(FailoverRecord.self, from: Data(text.utf8))
        }
    }
}
