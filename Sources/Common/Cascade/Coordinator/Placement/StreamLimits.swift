import Logging
import MeshCluster
import MeshControl
import MeshRTC
import Synchronization

/// The stream policies across the mesh. One publisher per stream and `max_publishers` at most:
/// an origin claims a stream in Redis before it takes its publisher, and keeps the claim fresh
/// while it publishes. `max_viewers_per_stream`: every node reports its viewers of each stream
/// once a second, and placement sends no more viewers to a stream whose sum reached its limit
/// (each node also holds the limit alone, atomically, in its engine).
final class StreamLimits: Sendable {
    /// This node's id.
    let nodeID: String
    let topology: TopologyInForce
    let dataPlane: any MeshDataPlane
    let redis: RedisClient
    let directory: StreamDirectory
    let claims: PublisherClaims
    let logger: Logger
    /// Streams whose publisher claim in Redis this node holds.
    private let claimedHere = Mutex<Set<String>>([])

    init(
        nodeID: String, topology: TopologyInForce, dataPlane: any MeshDataPlane, redis: RedisClient,
        directory: StreamDirectory, claims: PublisherClaims, logger: Logger
    ) {
        self.nodeID = nodeID
        self.topology = topology
        self.dataPlane = dataPlane
        self.redis = redis
        self.directory = directory
        self.claims = claims
        self.logger = logger
    }

    /// `503` when `stream` has its most viewers across the mesh, else `nil`.
    func viewerLimitRefusal(_ stream: String) async throws(RedisError) -> PlacementVerdict? {
        guard let limit = topology.topology.policies.maxViewers(for: stream) else { return nil }
        let viewers = try await directory.viewerCount(of: stream, now: WallClock.milliseconds())
        guard viewers >= limit else { return nil }
        return .unavailable(
            reason: "stream '\(stream)' has its most viewers (\(limit))",
            retryAfterSeconds: ClientPlacement.retryAfterSeconds)
    }

    /// (duty) Reports this node's viewers of every stream it carries.
    func reportViewers(_ status: MeshDataStatus) async {
        guard redis.isAvailable else { return }
        let now = WallClock.milliseconds()
        for stream in status.streams {
            try? await directory.reportViewers(
                stream: stream.record.name, node: nodeID, count: stream.viewers, now: now)
        }
    }

    /// `.here` once this origin holds the stream's claim; `409` when another origin publishes
    /// it, `503` when the mesh publishes its most streams. While Redis is away the origin takes
    /// the publisher anyway (the stream registers when Redis returns), as it always has.
    func claimHere(_ stream: String) async -> PlacementVerdict {
        guard redis.isAvailable else { return .here }
        let limit = topology.topology.policies.maxPublishers
        do throws(RedisError) {
            switch try await claims.claim(stream: stream, origin: nodeID, limit: limit, now: WallClock.milliseconds()) {
            case .claimed:
                claimedHere.withLock { _ = $0.insert(stream) }
                return .here
            case .publishedElsewhere(let origin):
                return .refused(status: 409, reason: "stream '\(stream)' is already published on \(origin)")
            case .full:
                return .unavailable(
                    reason: "the mesh publishes its most streams (max_publishers \(limit ?? 0))",
                    retryAfterSeconds: ClientPlacement.retryAfterSeconds)
            }
        } catch {
            logger.info("mesh: claiming '\(stream)' failed (\(error)); taking its publisher anyway")
            return .here
        }
    }

    /// A publisher placed here that got no session gives its claim on the stream back, unless
    /// the stream is live here: a second publisher refused with 409 must not free the first's.
    func publisherSettled(stream: String, published: Bool) async {
        guard !published, await dataPlane.carriedStream(stream) == nil else { return }
        await releaseClaim(stream)
    }

    /// Gives up this origin's claim on `stream` (its publisher never came, or left).
    func releaseClaim(_ stream: String) async {
        guard claimedHere.withLock({ $0.remove(stream) }) != nil else { return }
        // A claim not released here expires by itself within its TTL.
        _ = try? await claims.release(stream: stream, origin: nodeID)
    }

    /// (duty) Refreshes the claims of streams published here, and releases those whose
    /// publisher is gone for good (the data plane forgot the stream).
    func refreshClaims(_ status: MeshDataStatus) async {
        guard redis.isAvailable else { return }
        let published = Set(status.streams.filter { $0.source == .publisher }.map(\.record.name))
        let held = claimedHere.withLock { $0 }
        for stream in published.union(held).sorted() {
            guard published.contains(stream) else {
                await releaseClaim(stream)
                continue
            }
            // A refresh also re-creates a claim after a Redis restart; the limit never evicts a
            // stream that is live already, since its claim exists or is re-made first.
            let outcome = try? await claims.claim(
                stream: stream, origin: nodeID, limit: nil, now: WallClock.milliseconds())
            switch outcome {
            case .claimed: claimedHere.withLock { _ = $0.insert(stream) }
            case .publishedElsewhere(let origin):
                logger.warning(
                    "mesh: '\(stream)' is published here and on \(origin) (claimed there while Redis was away)")
            case .full, nil: break
            }
        }
    }
}
