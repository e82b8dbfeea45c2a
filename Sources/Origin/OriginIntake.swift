import MeshCascade
import MeshCluster
import MeshControl

/// What an origin does with a WHIP publisher that reaches it: claims the stream mesh-wide, then
/// takes the publisher. One publisher per stream (`409` when another origin holds the claim)
/// and `max_publishers` streams at most (`503`). An origin is where streams enter the mesh, so
/// it keeps taking publishers while Redis is away: the stream registers when Redis returns, and
/// the coordinator's once-a-second duty re-makes the claim.
public struct OriginPublisherIntake: PublisherIntake {
    /// The origin's intake.
    public init() {}

    /// `.here` once claimed (or when no claim can be made now); `409`, `503`.
    public func takePublisher(of stream: String, claims: any PublisherClaimDesk) async -> PlacementVerdict? {
        switch await claims.claim(stream) {
        case .claimed, nil: return .here
        case .publishedElsewhere(let origin):
            return .refused(status: 409, reason: "stream '\(stream)' is already published on \(origin)")
        case .full:
            return .unavailable(
                reason: "the mesh publishes its most streams (max_publishers \(claims.maxPublishers ?? 0))",
                retryAfterSeconds: MeshCoordinator.retryAfterSeconds)
        }
    }

    /// `.here`: taken unclaimed.
    public func takePublisherWithoutRedis(of stream: String) -> PlacementVerdict? { .here }

    /// A publisher placed here that got no session gives its claim back at once rather than
    /// letting it expire, so a retry on another origin is not refused with `409` meanwhile.
    public func publisherSettled(_ stream: String, published: Bool, claims: any PublisherClaimDesk) async {
        guard !published else { return }
        await claims.releaseClaimUnlessLive(stream)
    }
}

/// What an origin does with a WHEP viewer placed on it: serves it from the stream's publisher
/// here. An origin roots its streams' trees and never pulls, so a stream whose publisher is
/// gone is `404`.
public struct OriginViewerIntake: ViewerIntake {
    /// The origin's intake.
    public init() {}

    /// `.here` once the stream is carried here.
    public func takeViewer(of stream: String, carrier: any ViewerCarrier) async -> PlacementVerdict {
        await carrier.carryHere(stream)
    }
}
