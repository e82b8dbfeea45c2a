import MeshCluster

/// Everything the coordinator remembers between calls, behind one lock: the topology and what
/// is built from it, upstreams that failed lately, idle clocks for the duties, and figures for
/// `/metrics`.
struct CoordinatorState: Sendable {
    /// The topology in force.
    var topology: Topology
    /// Placement's index of `topology`.
    var index: PlacementIndex
    /// Client address → region, for `topology`.
    var resolver: RegionResolver
    /// Upstream node → monotonic instant until which it is not tried for new paths.
    var failedUntil: [String: ContinuousClock.Instant] = [:]
    /// Received stream → when it was first seen with no viewer and no downstream link.
    var idleStreamsSince: [String: ContinuousClock.Instant] = [:]
    /// Link → when it was first seen carrying no stream.
    var idleLinksSince: [String: ContinuousClock.Instant] = [:]
    /// Streams a publisher on this node registered in Redis, to unregister once they end.
    var publishedHere: Set<String> = []
    /// Downstream-end links being handed off a draining upstream now.
    var handingOff: Set<String> = []
    /// Placement decision figures.
    var timings = DecisionTimings()
    /// How long the last re-path took, in seconds.
    var lastRepathSeconds: Double?
    /// Placement grants served here, remembered until they expire.
    var redeemedGrants = RedeemedGrants(capacity: MeshCoordinator.redeemedGrantCapacity)
    /// Streams whose publisher claim in Redis this node holds.
    var claimedHere: Set<String> = []
    /// Grants refused (forged, misdirected, expired, reused), for `/metrics`.
    var grantsRefused: UInt64 = 0
    /// Viewers placed without a reserved slot because their client held too many unfollowed
    /// redirects, for `/metrics`.
    var unreservedRedirects: UInt64 = 0

    init(topology: Topology) {
        self.topology = topology
        index = PlacementIndex(topology: topology)
        resolver = RegionResolver(
            topology: topology, trustedProxies: topology.trustedProxies.compactMap(IPNetwork.init))
    }

    /// Switches to a new topology, keeping the live figures.
    mutating func apply(_ topology: Topology) {
        self.topology = topology
        index = PlacementIndex(topology: topology)
        resolver = RegionResolver(
            topology: topology, trustedProxies: topology.trustedProxies.compactMap(IPNetwork.init))
    }

    /// Whether `node` failed lately and should not be tried at `now`.
    func hasFailed(_ node: String, at now: ContinuousClock.Instant) -> Bool {
        guard let until = failedUntil[node] else { return false }
        return now < until
    }
}
