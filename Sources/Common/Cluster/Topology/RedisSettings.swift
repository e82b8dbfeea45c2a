/// Which kind of Redis the mesh's shared state lives in: `redis: {mode: ...}` at the top level
/// of a topology. The mode is always named, never inferred from how many addresses are listed:
/// a Sentinel set given as one server would quietly lose its failover.
///
/// - `standalone` (the default, and what a topology without the section means): one server,
///   whose URL is in the variable `secrets.redis` names.
/// - `sentinel`: the sentinels' addresses and the master's name; nodes ask the sentinels for
///   the master (Redis's Sentinel client protocol) and follow a failover. Addresses are not
///   secrets; the password still comes from `MESHCAST_REDIS_PASSWORD`.
/// - `cluster`: a few of a Redis Cluster's nodes (`nodes`), from which the client loads the slot
///   map; keys carry hash tags so every script's keys share a slot.
public struct RedisSettings: Sendable, Equatable, Codable {
    /// The kinds of Redis deployment the mesh can use.
    public enum Mode: String, Sendable, Equatable, Codable, CaseIterable {
        /// One server.
        case standalone
        /// A master with replicas watched by Redis Sentinel.
        case sentinel
        /// A Redis Cluster: slots spread over several masters, each with replicas.
        case cluster
    }

    /// The deployment kind.
    public var mode: Mode
    /// The name the sentinels monitor the master under (`sentinel` mode).
    public var masterName: String?
    /// The sentinels, in the order they are asked (`sentinel` mode).
    public var sentinels: [EndpointAddress]
    /// Some of the Cluster's nodes, asked for the slot map (`cluster` mode).
    public var nodes: [EndpointAddress]

    /// Creates settings.
    public init(
        mode: Mode, masterName: String? = nil, sentinels: [EndpointAddress] = [], nodes: [EndpointAddress] = []
    ) {
        self.mode = mode
        self.masterName = masterName
        self.sentinels = sentinels
        self.nodes = nodes
    }

    private enum CodingKeys: String, CodingKey {
        case mode, masterName, sentinels, nodes
    }

    /// Reads the JSON; `nodes` may be absent (topologies published before Cluster mode).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mode = try container.decode(Mode.self, forKey: .mode)
        masterName = try container.decodeIfPresent(String.self, forKey: .masterName)
        sentinels = try container.decodeIfPresent([EndpointAddress].self, forKey: .sentinels) ?? []
        nodes = try container.decodeIfPresent([EndpointAddress].self, forKey: .nodes) ?? []
    }

    /// Writes the JSON; `nodes` only when there are some, so other modes' JSON is unchanged.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(mode, forKey: .mode)
        try container.encodeIfPresent(masterName, forKey: .masterName)
        try container.encode(sentinels, forKey: .sentinels)
        if !nodes.isEmpty { try container.encode(nodes, forKey: .nodes) }
    }

    /// What a topology without a `redis` section means.
    public static let standalone = RedisSettings(mode: .standalone)
}
