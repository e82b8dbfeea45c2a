import MeshCluster
import MeshControl

/// What this node does with a WHIP publisher that reached it: a grant made out to it, placement
/// choosing it, or placement unable to choose (no origin alive, the registry settling, Redis
/// away). Its role module provides it (``RoleIntake``); placement asks it instead of asking
/// whether the role takes publishers. `nil` means "not here": placement then answers for
/// itself (`403` with a grant, else a `307` to an origin or a `503`).
public protocol PublisherIntake: Sendable {
    /// Takes a publisher of `stream` on this node, claiming the stream mesh-wide through
    /// `claims` first, and answers the verdict; `nil` when this node takes no publishers.
    func takePublisher(of stream: String, claims: any PublisherClaimDesk) async -> PlacementVerdict?

    /// Takes a publisher of `stream` while the mesh's Redis cannot be read, so nothing can be
    /// claimed or placed; `nil` when this node takes no publishers (placement answers `503`).
    func takePublisherWithoutRedis(of stream: String) -> PlacementVerdict?

    /// A publisher placed here got its session (`published`) or failed to get one.
    func publisherSettled(_ stream: String, published: Bool, claims: any PublisherClaimDesk) async
}

/// The publisher claims this node holds in Redis (`PublisherClaims`: one origin per stream, at
/// most `max_publishers` streams), as a ``PublisherIntake`` may use them. The coordinator keeps
/// the claims it makes here fresh once a second while their streams are published here, and
/// releases them when the publisher is gone; the Lua and the key layout stay in MeshCluster.
public protocol PublisherClaimDesk: Sendable {
    /// The mesh's `max_publishers` in the topology in force (`nil`: no limit).
    var maxPublishers: Int? { get }

    /// Claims `stream` for this node under ``maxPublishers``. `nil` when no claim could be made:
    /// Redis is unreachable, or the script failed (logged).
    func claim(_ stream: String) async -> PublisherClaims.Outcome?

    /// Gives back this node's claim on `stream` unless the stream is live here (a second
    /// publisher refused with `409` must not free the first's).
    func releaseClaimUnlessLive(_ stream: String) async
}

/// The intake of a role that takes no publishers (edges, relays, recorders): every publisher
/// that reaches such a node is placement's to send on or refuse. Shared, since each of those
/// roles would say exactly the same.
public struct RefusesPublishers: PublisherIntake {
    /// The refusing intake.
    public init() {}

    /// Not here.
    public func takePublisher(of stream: String, claims: any PublisherClaimDesk) async -> PlacementVerdict? { nil }

    /// Not here.
    public func takePublisherWithoutRedis(of stream: String) -> PlacementVerdict? { nil }

    /// Nothing to give back: this node never claims.
    public func publisherSettled(_ stream: String, published: Bool, claims: any PublisherClaimDesk) async {}
}
