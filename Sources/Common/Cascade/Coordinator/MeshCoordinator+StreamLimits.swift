import MeshCluster
import MeshControl
import MeshRTC

/// The stream policies across the mesh. One publisher per stream and `max_publishers` at most:
/// an origin claims a stream in Redis before it takes its publisher, and keeps the claim fresh
/// while it publishes. `max_viewers_per_stream`: every node reports its viewers of each stream
/// once a second, and placement sends no more viewers to a stream whose sum reached its limit
/// (each node also holds the limit alone, atomically, in its engine).
extension MeshCoordinator {
    /// `503` when `stream` has its most viewers across the mesh, else `nil`.
    func viewerLimitRefusal(_ stream: String) async throws(RedisError) -> PlacementVerdict? {
        guard let limit = topology.policies.maxViewers(for: stream) else { return nil }
        let viewers = try await directory.viewerCount(of: stream, now: Self.wallMilliseconds())
        guard viewers >= limit else { return nil }
        return .unavailable(
            reason: "stream '\(stream)' has its most viewers (\(limit))", retryAfterSeconds: Self.retryAfterSeconds)
    }

    /// (duty) Reports this node's viewers of every stream it carries.
    func reportViewers(_ status: MeshDataStatus) async {
        guard redis.isAvailable else { return }
        let now = Self.wallMilliseconds()
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
        let limit = topology.policies.maxPublishers
        do throws(RedisError) {
            switch try await claims.claim(stream: stream, origin: nodeID, limit: limit, now: Self.wallMilliseconds()) {
            case .claimed:
                state.withLock { _ = $0.claimedHere.insert(stream) }
                return .here
            case .publishedElsewhere(let origin):
                return .refused(status: 409, reason: "stream '\(stream)' is already published on \(origin)")
            case .full:
                return .unavailable(
                    reason: "the mesh publishes its most streams (max_publishers \(limit ?? 0))",
                    retryAfterSeconds: Self.retryAfterSeconds)
            }
        } catch {
            logger.info("mesh: claiming '\(stream)' failed (\(error)); taking its publisher anyway")
            return .here
        }
    }

    /// Gives up this origin's claim on `stream` (its publisher never came, or left).
    func releaseClaim(_ stream: String) async {
        guard state.withLock({ $0.claimedHere.remove(stream) }) != nil else { return }
        // A claim not released here expires by itself within its TTL.
        _ = try? await claims.release(stream: stream, origin: nodeID)
    }

    /// (duty) Refreshes the claims of streams published here, and releases those whose
    /// publisher is gone for good (the data plane forgot the stream).
    func refreshClaims(_ status: MeshDataStatus) async {
        guard redis.isAvailable else { return }
        let published = Set(status.streams.filter { $0.source == .publisher }.map(\.record.name))
        let held = state.withLock { $0.claimedHere }
        for stream in published.union(held).sorted() {
            guard published.contains(stream) else {
                await releaseClaim(stream)
                continue
            }
            // A refresh also re-creates a claim after a Redis restart; the limit never evicts a
            // stream that is live already, since its claim exists or is re-made first.
            let outcome = try? await claims.claim(
                stream: stream, origin: nodeID, limit: nil, now: Self.wallMilliseconds())
            switch outcome {
            case .claimed: state.withLock { _ = $0.claimedHere.insert(stream) }
            case .publishedElsewhere(let origin):
                logger.warning(
                    "mesh: '\(stream)' is published here and on \(origin) (claimed there while Redis was away)")
            case .full, nil: break
            }
        }
    }
}
