import Foundation

/// One end's view of a relay link, as its node reports it once a second for `/v1/mesh`.
public struct LinkReport: Sendable, Equatable, Codable {
    /// The link's id (the same at both ends).
    public var id: String
    /// The node that sends media on it.
    public var upstream: String
    /// The node that receives media on it.
    public var downstream: String
    /// The node that wrote this report (one of the two).
    public var reportedBy: String
    /// Streams carried on the link.
    public var streams: [String]
    /// RTP packets per second sent (upstream end) or received (downstream end) over the last report interval.
    public var packetsPerSecond: Double
    /// Round-trip time in ms, measured by the upstream end.
    public var roundTripMilliseconds: Double?
    /// Loss the downstream end last reported, 0...1.
    public var fractionLost: Double

    /// A report from its parts.
    public init(
        id: String, upstream: String, downstream: String, reportedBy: String, streams: [String],
        packetsPerSecond: Double, roundTripMilliseconds: Double?, fractionLost: Double
    ) {
        self.id = id
        self.upstream = upstream
        self.downstream = downstream
        self.reportedBy = reportedBy
        self.streams = streams
        self.packetsPerSecond = packetsPerSecond
        self.roundTripMilliseconds = roundTripMilliseconds
        self.fractionLost = fractionLost
    }
}

/// Each node's link reports in Redis: `node:{id}:links` (the node's hash tag), one JSON array
/// rewritten once a second and expiring after ``ttl``, so a dead node's links vanish with it.
/// Nothing places by them; they are for operators (`GET /v1/mesh`).
public struct LinkReports: Sendable {
    /// The client.
    public let client: RedisClient
    /// How long a node's reports live without a refresh.
    public let ttl: Duration

    /// Reports over `client`, living `ttl`.
    public init(client: RedisClient, ttl: Duration = .seconds(3)) {
        self.client = client
        self.ttl = ttl
    }

    /// The key of `node`'s reports.
    static func key(_ node: String) -> String { "node:{\(node)}:links" }

    /// Replaces `node`'s reports.
    public func publish(node: String, _ reports: [LinkReport]) async throws(RedisError) {
        let json: Data
        do {
            json = try JSONEncoder().encode(reports)
        } catch {
            throw .unexpectedReply("link reports do not encode: \(error)")
        }
        _ = try await client.command(bytes: [
            Array("SET".utf8), Array(Self.key(node).utf8), Array(json), Array("PX".utf8),
            Array(String(ttl.wholeMilliseconds).utf8),
        ])
    }

    /// The live reports of `nodes`; a node's unreadable reports are skipped.
    public func reports(of nodes: [String]) async throws(RedisError) -> [LinkReport] {
        guard !nodes.isEmpty else { return [] }
        let replies = try await client.pipeline(nodes.map { ["GET", Self.key($0)] }).throwingFirstError()
        return replies.flatMap { reply -> [LinkReport] in
            guard let text = reply.string else { return [] }
            return (try? JSONDecoder().decode([LinkReport].self, from: Data(text.utf8))) ?? []
        }
    }
}
