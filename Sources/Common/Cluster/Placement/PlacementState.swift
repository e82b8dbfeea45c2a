/// A snapshot of the mesh's live state that placement decides over: each node's load and
/// health, each stream's origin and carriers.
///
/// Placement never reads Redis itself; the registry builds this value and hands it in, and
/// `meshcast route --state FILE.json` reads it from JSON (keys as the property names).
public struct PlacementState: Sendable, Equatable, Codable {
    /// Live load per node id.
    public var nodes: [String: NodeLoad]
    /// Live placement per stream id.
    public var streams: [String: StreamPlacement]
    /// Whether a node missing from `nodes` counts as alive with zero load. `true` suits a
    /// hand-written or empty snapshot; a Redis registry sets `false`, since an expired
    /// `node:{id}` key means the node stopped refreshing.
    public var unlistedNodesAlive: Bool

    /// Creates a snapshot.
    public init(
        nodes: [String: NodeLoad] = [:], streams: [String: StreamPlacement] = [:], unlistedNodesAlive: Bool = true
    ) {
        self.nodes = nodes
        self.streams = streams
        self.unlistedNodesAlive = unlistedNodesAlive
    }

    /// Every node alive and idle, no stream anywhere.
    public static let empty = PlacementState()

    /// The load of a node, applying `unlistedNodesAlive` to nodes the snapshot does not list.
    public func load(of nodeID: String) -> NodeLoad {
        nodes[nodeID] ?? NodeLoad(alive: unlistedNodesAlive)
    }

    /// The carriers of a stream (empty when the stream is unknown).
    public func carriers(of streamID: String) -> Set<String> {
        streams[streamID]?.carriers ?? []
    }

    private enum CodingKeys: String, CodingKey {
        case nodes, streams, unlistedNodesAlive
    }

    /// Decodes a snapshot; every key is optional.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        nodes = try container.decodeIfPresent([String: NodeLoad].self, forKey: .nodes) ?? [:]
        streams = try container.decodeIfPresent([String: StreamPlacement].self, forKey: .streams) ?? [:]
        unlistedNodesAlive = try container.decodeIfPresent(Bool.self, forKey: .unlistedNodesAlive) ?? true
    }
}

/// One node's live load and health, as the node last reported it.
public struct NodeLoad: Sendable, Equatable, Codable {
    /// WebRTC sessions (publishers and viewers) the node holds now.
    public var sessions: Int
    /// Media egress in megabits per second, if reported.
    public var egressMbps: Double?
    /// CPU use as a fraction of the node's workers, 0-1, if reported.
    public var cpu: Double?
    /// Whether the node is being drained: it takes no new viewers or downstream links.
    public var draining: Bool
    /// Whether the node's registry entry is fresh.
    public var alive: Bool

    /// Creates a load report.
    public init(
        sessions: Int = 0, egressMbps: Double? = nil, cpu: Double? = nil, draining: Bool = false, alive: Bool = true
    ) {
        self.sessions = sessions
        self.egressMbps = egressMbps
        self.cpu = cpu
        self.draining = draining
        self.alive = alive
    }

    private enum CodingKeys: String, CodingKey {
        case sessions, egressMbps, cpu, draining, alive
    }

    /// Decodes a load report; every key is optional.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sessions = try container.decodeIfPresent(Int.self, forKey: .sessions) ?? 0
        egressMbps = try container.decodeIfPresent(Double.self, forKey: .egressMbps)
        cpu = try container.decodeIfPresent(Double.self, forKey: .cpu)
        draining = try container.decodeIfPresent(Bool.self, forKey: .draining) ?? false
        alive = try container.decodeIfPresent(Bool.self, forKey: .alive) ?? true
    }
}

/// Where a stream lives now: its origin and every node that carries it.
public struct StreamPlacement: Sendable, Equatable, Codable {
    /// The origin node the publisher is connected to.
    public var origin: String
    /// Nodes that receive the stream now (relays and edges of its tree; the origin may be listed).
    public var carriers: Set<String>

    /// Creates a stream placement.
    public init(origin: String, carriers: Set<String> = []) {
        self.origin = origin
        self.carriers = carriers
    }

    private enum CodingKeys: String, CodingKey {
        case origin, carriers
    }

    /// Decodes a stream placement; `carriers` is optional.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        origin = try container.decode(String.self, forKey: .origin)
        carriers = try container.decodeIfPresent(Set<String>.self, forKey: .carriers) ?? []
    }
}
