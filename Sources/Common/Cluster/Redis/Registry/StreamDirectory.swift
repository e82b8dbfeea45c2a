import Foundation

/// The streams of the mesh in Redis: each stream's record (`stream:{name}`) and the nodes
/// carrying it now (`stream:{name}:carriers`), so new viewers prefer an edge that already has
/// it and new edges join the stream's tree at the nearest carrier.
///
/// Named `StreamDirectory` so as not to clash with MeshRTC's engine-side `StreamRegistry`.
public struct StreamDirectory: Sendable {
    /// The client the directory talks through.
    public let client: RedisClient
    /// How long a carrier entry lives unless refreshed by `addCarrier`.
    public let carrierTTL: Duration

    /// A directory over `client`; carriers expire `carrierTTL` (5 s default) after their
    /// last refresh.
    public init(client: RedisClient, carrierTTL: Duration = .seconds(5)) {
        self.client = client
        self.carrierTTL = carrierTTL
    }

    /// Publishes (or replaces) a stream's record. The tracks are stored as JSON so that
    /// `redis-cli HGETALL` shows something an operator can read.
    public func register(_ record: StreamRecord) async throws(RedisError) {
        let tracks: String
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            tracks = String(decoding: try encoder.encode(record.tracks), as: UTF8.self)
        } catch {
            throw .unexpectedReply("cannot encode tracks of \(record.name): \(error)")
        }
        // MULTI/EXEC so that a reader never sees a half-replaced record; the `streams` index is
        // another key (another Cluster slot), listed afterwards.
        let replies = try await client.pipeline(Self.registerTransaction(record, tracks: tracks))
        _ = try replies.throwingFirstError()
        guard let results = replies.last?.array else {
            throw .unexpectedReply("EXEC for stream \(record.name) answered \(String(describing: replies.last))")
        }
        _ = try results.throwingFirstError()
        _ = try await client.command(["SADD", RedisKeys.streams, record.name])
    }

    /// The `MULTI` that replaces a stream's record: every key in it tagged `{name}`.
    static func registerTransaction(_ record: StreamRecord, tracks: String) -> [[String]] {
        let key = RedisKeys.stream(record.name)
        return [
            ["MULTI"],
            ["DEL", key],
            ["HSET", key, "origin", record.originNode, "startedAt", String(record.startedAt), "tracks", tracks],
            ["EXEC"],
        ]
    }

    /// Removes a stream and its carriers (the publisher left).
    public func unregister(_ name: String) async throws(RedisError) {
        _ = try await client.pipeline([
            ["DEL", RedisKeys.stream(name), RedisKeys.carriers(name)], ["SREM", RedisKeys.streams, name],
        ]).throwingFirstError()
    }

    /// A stream's record, or nil when no origin publishes it.
    public func lookup(_ name: String) async throws(RedisError) -> StreamRecord? {
        let fields = try await client.command(["HGETALL", RedisKeys.stream(name)]).fieldMap()
        guard !fields.isEmpty else { return nil }
        guard let origin = fields["origin"], let startedAt = fields["startedAt"].flatMap({ UInt64($0) }),
            let tracksJSON = fields["tracks"]
        else {
            throw .unexpectedReply("stream \(name) lacks origin, startedAt or tracks")
        }
        do {
            let tracks = try JSONDecoder().decode([MeshTrack].self, from: Data(tracksJSON.utf8))
            return StreamRecord(name: name, originNode: origin, tracks: tracks, startedAt: startedAt)
        } catch {
            throw .unexpectedReply("stream \(name) has unreadable tracks: \(error)")
        }
    }

    /// The names of every registered stream, sorted.
    public func streams() async throws(RedisError) -> [String] {
        guard let members = try await client.command(["SMEMBERS", RedisKeys.streams]).array else {
            throw .unexpectedReply("SMEMBERS \(RedisKeys.streams) is not an array")
        }
        return members.compactMap(\.string).sorted()
    }

    /// Records (or refreshes) `node` as a carrier of `stream` until `now + carrierTTL`.
    ///
    /// - Parameter now: wall-clock milliseconds since 1970, passed in so tests control time.
    public func addCarrier(stream: String, node: String, now: UInt64) async throws(RedisError) {
        let ttl = max(carrierTTL.wholeMilliseconds, 1)
        let key = RedisKeys.carriers(stream)
        // The whole set also expires once its freshest carrier would, so a dead stream leaves
        // nothing behind.
        _ = try await client.pipeline([
            ["ZADD", key, String(now &+ UInt64(ttl)), node], ["PEXPIRE", key, String(ttl)],
        ]).throwingFirstError()
    }

    /// Records that `node` serves `count` viewers of `stream`, until `now + carrierTTL`.
    public func reportViewers(stream: String, node: String, count: Int, now: UInt64) async throws(RedisError) {
        let ttl = max(carrierTTL.wholeMilliseconds, 1)
        let key = RedisKeys.streamViewers(stream)
        _ = try await client.pipeline([
            ["HSET", key, node, "\(count):\(now &+ UInt64(ttl))"], ["PEXPIRE", key, String(ttl)],
        ]).throwingFirstError()
    }

    /// The viewers of `stream` across the mesh at `now`: the sum of every node's unexpired report.
    public func viewerCount(of stream: String, now: UInt64) async throws(RedisError) -> Int {
        try await viewerReports(of: stream, now: now).values.reduce(0, +)
    }

    /// Each node's unexpired report of its viewers of `stream` at `now`.
    public func viewerReports(of stream: String, now: UInt64) async throws(RedisError) -> [String: Int] {
        let reports = try await client.command(["HGETALL", RedisKeys.streamViewers(stream)]).fieldMap()
        var counts: [String: Int] = [:]
        for (node, report) in reports {
            let parts = report.split(separator: ":")
            guard parts.count == 2, let count = Int(parts[0]), let expiry = UInt64(parts[1]), expiry > now else {
                continue
            }
            counts[node] = max(count, 0)
        }
        return counts
    }

    /// Removes `node` from `stream`'s carriers (it unsubscribed).
    public func removeCarrier(stream: String, node: String) async throws(RedisError) {
        _ = try await client.command(["ZREM", RedisKeys.carriers(stream), node])
    }

    /// The nodes carrying `stream` at `now`, sorted; expired entries are pruned on the way.
    public func carriers(of stream: String, now: UInt64) async throws(RedisError) -> [String] {
        let key = RedisKeys.carriers(stream)
        let replies = try await client.pipeline([
            ["ZREMRANGEBYSCORE", key, "-inf", String(now)], ["ZRANGEBYSCORE", key, "(\(now)", "+inf"],
        ]).throwingFirstError()
        guard let members = replies[1].array else { throw .unexpectedReply("ZRANGEBYSCORE answered \(replies[1])") }
        return members.compactMap(\.string).sorted()
    }
}
