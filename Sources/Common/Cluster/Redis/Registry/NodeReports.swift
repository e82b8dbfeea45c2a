import Foundation

/// One end's view of a relay link, as its node reports it once a second (in its ``NodeReport``).
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
    /// Their bits per second over the same interval (SRTP as sent, or RTP as received); `nil`
    /// from a node built before links counted bytes.
    public var bitsPerSecond: Double?
    /// Round-trip time in ms, measured by the upstream end.
    public var roundTripMilliseconds: Double?
    /// Loss the downstream end last reported, 0...1.
    public var fractionLost: Double

    /// A report from its parts.
    public init(
        id: String, upstream: String, downstream: String, reportedBy: String, streams: [String],
        packetsPerSecond: Double, bitsPerSecond: Double? = nil, roundTripMilliseconds: Double?, fractionLost: Double
    ) {
        self.id = id
        self.upstream = upstream
        self.downstream = downstream
        self.reportedBy = reportedBy
        self.streams = streams
        self.packetsPerSecond = packetsPerSecond
        self.bitsPerSecond = bitsPerSecond
        self.roundTripMilliseconds = roundTripMilliseconds
        self.fractionLost = fractionLost
    }
}

/// What a node tells operators about itself once a second, beside its heartbeat: the topology
/// it runs, its placement figures and its relay link ends.
public struct NodeReport: Sendable, Equatable, Codable {
    /// The node's id.
    public var node: String
    /// The first 16 hex digits of SHA-256 over the canonical JSON of the topology it runs.
    public var topology: String
    /// Placement decisions per second over the last report interval.
    public var placementsPerSecond: Double
    /// The 99th percentile of its recent placement decisions, in seconds; `nil` before any.
    public var placementP99Seconds: Double?
    /// Its relay link ends.
    public var links: [LinkReport]

    /// A report from its parts.
    public init(
        node: String, topology: String, placementsPerSecond: Double, placementP99Seconds: Double?,
        links: [LinkReport]
    ) {
        self.node = node
        self.topology = topology
        self.placementsPerSecond = placementsPerSecond
        self.placementP99Seconds = placementP99Seconds
        self.links = links
    }
}

/// Each node's ``NodeReport`` in Redis: `node:{id}:report` (the node's hash tag), JSON rewritten
/// once a second and expiring after ``ttl``, so a dead node's report vanishes with it. Nothing
/// places by them; they are for operators (`GET /v1/mesh`).
public struct NodeReports: Sendable {
    /// The client.
    public let client: RedisClient
    /// How long a report lives without a refresh.
    public let ttl: Duration

    /// Reports over `client`, living `ttl`.
    public init(client: RedisClient, ttl: Duration = .seconds(3)) {
        self.client = client
        self.ttl = ttl
    }

    /// The key of `node`'s report.
    public static func key(_ node: String) -> String { "node:{\(node)}:report" }

    /// Replaces the report of `report.node`.
    public func publish(_ report: NodeReport) async throws(RedisError) {
        let json: Data
        do {
            json = try JSONEncoder().encode(report)
        } catch {
            throw .unexpectedReply("a node report does not encode: \(error)")
        }
        _ = try await client.command(bytes: [
            Array("SET".utf8), Array(Self.key(report.node).utf8), Array(json), Array("PX".utf8),
            Array(String(ttl.wholeMilliseconds).utf8),
        ])
    }

    /// The live reports of `nodes`; an unreadable one is skipped.
    public func reports(of nodes: [String]) async throws(RedisError) -> [NodeReport] {
        guard !nodes.isEmpty else { return [] }
        let replies = try await client.pipeline(nodes.map { ["GET", Self.key($0)] }).throwingFirstError()
        return replies.compactMap { reply -> NodeReport? in
            guard let text = reply.string else { return nil }
            return try? JSONDecoder().decode(NodeReport.self, from: Data(text.utf8))
        }
    }
}
