import Logging
import MeshCluster
import MeshControl
import MeshRTC
import Synchronization

/// The stream policies across the mesh. One publisher per stream and `max_publishers` at most:
/// an origin claims a stream in Redis before it takes its publisher, and keeps the claim fresh
/// while it publishes. `max_viewers_per_stream`: every node reports its viewers of each stream
/// once a second, and placement sends no more viewers to a stream whose sum reached its limit
/// (each node also holds the limit alone, atomically, in its engine). It is the
/// ``PublisherClaimDesk`` the role's ``PublisherIntake`` claims through: what an origin does
/// with a claim's outcome lives in the origin module.
final class StreamLimits: PublisherClaimDesk {
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

    /// The mesh's `max_publishers` in the topology in force.
    var maxPublishers: Int? { topology.topology.policies.maxPublishers }

    /// Claims `stream` for this node under `max_publishers` and remembers the claim, to keep it
    /// fresh; `nil` while Redis is away or when the claim fails (the role's intake decides what
    /// then: an origin takes the publisher anyway, as it always has).
    func claim(_ stream: String) async -> PublisherClaims.Outcome? {
        guard redis.isAvailable else { return nil }
        do throws(RedisError) {
            let outcome = try await claims.claim(
                stream: stream, origin: nodeID, limit: maxPublishers, now: WallClock.milliseconds())
            if outcome == .claimed { claimedHere.withLock { _ = $0.insert(stream) } }
            return outcome
        } catch {
            logger.info("mesh: claiming '\(stream)' failed (\(error)); taking its publisher anyway")
            return nil
        }
    }

    /// Gives back this node's claim on `stream` unless the stream is live here: a second
    /// publisher refused with 409 must not free the first's.
    func releaseClaimUnlessLive(_ stream: String) async {
        guard await dataPlane.carriedStream(stream) == nil else { return }
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
