/// One node of the mesh: a `meshcast node` process with its role, place and addresses.
public struct TopologyNode: Sendable, Equatable, Codable {
    /// The node's id, unique in its topology (`edge-a`).
    public var id: String
    /// What the node does.
    public var role: NodeRole
    /// The name of the region the node runs in.
    public var region: String
    /// Where the node's HTTP API listens (WHIP/WHEP, internal API, metrics).
    public var api: EndpointAddress
    /// The host (IP or DNS name) the node's media workers bind their UDP ports on.
    public var mediaHost: String
    /// The IP address put in ICE candidates, which may differ from `mediaHost` behind NAT.
    public var announceIP: String
    /// The UDP ports the node's media workers may bind, one per worker and more for links.
    public var ports: PortRange
    /// How many media workers the node runs and which CPUs they are pinned to.
    public var workers: WorkerPlan
    /// The load the node accepts before placement stops sending it more; optional.
    public var capacity: NodeCapacity?
    /// The integrated TURN server's listeners (origins and edges only); `nil` runs no TURN.
    public var turn: TURNListeners?
    /// Where a recorder writes; every recorder has one and no other role does.
    public var storage: RecordingStorage?

    /// Creates a node description.
    public init(
        id: String,
        role: NodeRole,
        region: String,
        api: EndpointAddress,
        mediaHost: String,
        announceIP: String,
        ports: PortRange,
        workers: WorkerPlan,
        capacity: NodeCapacity? = nil,
        turn: TURNListeners? = nil,
        storage: RecordingStorage? = nil
    ) {
        self.id = id
        self.role = role
        self.region = region
        self.api = api
        self.mediaHost = mediaHost
        self.announceIP = announceIP
        self.ports = ports
        self.workers = workers
        self.capacity = capacity
        self.turn = turn
        self.storage = storage
    }
}

/// The most a node is asked to carry; placement treats a node at capacity as full.
public struct NodeCapacity: Sendable, Equatable, Codable {
    /// The most WebRTC sessions (publishers and viewers) at once, if limited.
    public var sessions: Int?
    /// The most media egress in megabits per second, if limited.
    public var egressMbps: Int?
    /// The most WHEP viewers at once, if limited apart from `sessions`.
    public var viewers: Int?
    /// The most WHIP publishers at once (origins), if limited apart from `sessions`.
    public var publishers: Int?

    /// Creates a capacity; a `nil` limit means unlimited.
    public init(sessions: Int? = nil, egressMbps: Int? = nil, viewers: Int? = nil, publishers: Int? = nil) {
        self.sessions = sessions
        self.egressMbps = egressMbps
        self.viewers = viewers
        self.publishers = publishers
    }
}
