/// A whole mesh as an operator described it in one topology file: where it runs (regions),
/// what runs there (nodes), which nodes may feed which (links), and where secrets come from.
///
/// Values of this type are always valid: `TopologyLoader` builds one only when the file
/// passed every check, so code that consumes a `Topology` never re-validates it.
public struct Topology: Sendable, Equatable, Codable {
    /// The mesh's name, used in logs and as the Redis key prefix.
    public var mesh: String
    /// The regions nodes and viewers are placed in, in file order.
    public var regions: [Region]
    /// Measured or estimated one-way latencies between pairs of regions.
    public var latencies: [RegionLatency]
    /// Every node of the mesh, in file order.
    public var nodes: [TopologyNode]
    /// The node pairs allowed to carry a relay link, upstream first.
    public var links: [LinkRule]
    /// Names of the environment variables that hold the mesh's secrets.
    public var secrets: SecretNames
    /// Reverse proxies and load balancers whose forwarded-for header is believed when mapping
    /// a client to its region; a header from any other address is ignored.
    public var trustedProxies: [CIDRBlock]
    /// Automatic recording and stream limits.
    public var policies: StreamPolicies
    /// How every edge behaves.
    public var edge: EdgeOptions
    /// The Redis deployment (`nil`: standalone, the URL in `secrets.redis`'s variable). Optional
    /// so that topologies published before the section existed still decode.
    public var redis: RedisSettings?
    /// Where events are `POST`ed (issue 15, item 7); `nil` when the topology has none, so that
    /// the canonical JSON of a topology without webhooks is what it always was.
    public var webhooks: [WebhookTarget]?

    /// Creates a topology from parts that were already validated.
    public init(
        mesh: String,
        regions: [Region],
        latencies: [RegionLatency],
        nodes: [TopologyNode],
        links: [LinkRule],
        secrets: SecretNames,
        trustedProxies: [CIDRBlock] = [],
        policies: StreamPolicies = .none,
        edge: EdgeOptions = .standard,
        redis: RedisSettings? = nil,
        webhooks: [WebhookTarget] = []
    ) {
        self.mesh = mesh
        self.regions = regions
        self.latencies = latencies
        self.nodes = nodes
        self.links = links
        self.secrets = secrets
        self.trustedProxies = trustedProxies
        self.policies = policies
        self.edge = edge
        self.redis = redis
        self.webhooks = webhooks.isEmpty ? nil : webhooks
    }

    /// The node with this id, if the topology has one.
    public func node(id: String) -> TopologyNode? {
        nodes.first { $0.id == id }
    }

    /// The nodes that play this role, in file order.
    public func nodes(withRole role: NodeRole) -> [TopologyNode] {
        nodes.filter { $0.role == role }
    }

    /// The latency the table gives between two regions in either order, if it gives one.
    public func latency(between first: String, and second: String) -> Double? {
        latencies.first { $0.connects(first, second) }?.milliseconds
    }
}
