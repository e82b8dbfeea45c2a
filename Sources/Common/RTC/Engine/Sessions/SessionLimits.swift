import MeshCluster

/// The most sessions one node serves at once: its topology capacity, the mesh's stream policies
/// as far as one node can hold them alone, and whether its role takes publishers at all.
///
/// The stream registry checks them under the lock that admits the session, so two requests at
/// once can never both take the last slot, whether placement sent them or they came straight
/// to the node. Mesh-wide counts (`max_publishers`) are also held in Redis by the coordinator;
/// the node's own count is a lower bound of the mesh's, so checking it here is always right.
public struct SessionLimits: Sendable, Equatable {
    /// Whether this node takes WHIP publishers (origins do; relays and edges do not).
    public var acceptsPublishers: Bool
    /// The node's own capacity (`capacity: {sessions, viewers, publishers}`).
    public var capacity: NodeCapacity
    /// The mesh's stream policies (`max_viewers_per_stream`, `max_publishers`, overrides).
    public var policies: StreamPolicies

    /// Limits from their parts.
    public init(acceptsPublishers: Bool, capacity: NodeCapacity, policies: StreamPolicies) {
        self.acceptsPublishers = acceptsPublishers
        self.capacity = capacity
        self.policies = policies
    }

    /// No limit at all: a bare engine in tests and tools.
    public static let unlimited = SessionLimits(acceptsPublishers: true, capacity: NodeCapacity(), policies: .none)

    /// Why one more publisher cannot be admitted, or `nil` when it can. A `local` one (a
    /// recorder's direct ingest, never announced to the mesh) is the node's own business: the
    /// role's publisher policy and the mesh's `max_publishers` do not apply, its capacity does.
    func refusalOfPublisher(census: SessionCensus, local: Bool = false) -> String? {
        guard acceptsPublishers || local else { return "this node does not take publishers; publish to an origin" }
        if let limit = capacity.sessions, census.sessions >= limit {
            return "this node serves its most sessions (\(limit))"
        }
        if let limit = capacity.publishers, census.publishers >= limit {
            return "this node serves its most publishers (\(limit))"
        }
        if !local, let limit = policies.maxPublishers, census.publishers >= limit {
            return "the mesh publishes its most streams (max_publishers \(limit))"
        }
        return nil
    }

    /// Why one more viewer of `stream`, which has `streamViewers` here, cannot be admitted.
    func refusalOfViewer(of stream: String, streamViewers: Int, census: SessionCensus) -> String? {
        if let limit = capacity.sessions, census.sessions >= limit {
            return "this node serves its most sessions (\(limit))"
        }
        if let limit = capacity.viewers, census.viewers >= limit {
            return "this node serves its most viewers (\(limit))"
        }
        if let limit = policies.maxViewers(for: stream), streamViewers >= limit {
            return "stream '\(stream)' has its most viewers (\(limit))"
        }
        return nil
    }
}

/// How many sessions of each kind a node serves now.
struct SessionCensus: Equatable {
    var publishers = 0
    var viewers = 0

    var sessions: Int { publishers + viewers }
}
