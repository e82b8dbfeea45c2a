/// The mesh as a whole, as `GET /v1/mesh` answers it (operator token) and `meshcast status`
/// prints it: every node of the topology with its state and load, and every live stream with
/// the nodes that carry it. Read from Redis (node registry, stream directory, the applied
/// topology) by whichever node is asked, and cached there for about a second.
public struct MeshOverview: Sendable, Equatable, Codable {
    /// The topology's mesh name.
    public var mesh: String
    /// The node that answered.
    public var answeredBy: String
    /// Wall-clock milliseconds since 1970 when the figures were read.
    public var readAt: UInt64
    /// The first 16 hex digits of SHA-256 over the applied topology's canonical JSON (the Redis
    /// key `topology`), `nil` (left out of the JSON) when none was applied.
    public var appliedTopology: String?
    /// The topology the answering node runs, in the same form, to compare with `appliedTopology`.
    public var answeringNodeTopology: String
    /// The topology's regions, with their coordinates when it states them (for maps).
    public var regions: [Region]
    /// Every node of the topology, then any registered node the topology does not name.
    public var nodes: [Node]
    /// Every stream with a live origin, by name.
    public var streams: [Stream]
    /// Every relay link either end reported within the last 3 s.
    public var links: [Link] = []
    /// The newest streams moved to another upstream (a lost or draining one), newest first.
    public var failovers: [Failover] = []
    /// How long a draining node may take (`policies.drain_deadline_seconds` of the answering
    /// node's topology): a node draining for longer is past its deadline.
    public var drainDeadlineSeconds: Int = 30

    /// One region of the topology.
    public struct Region: Sendable, Equatable, Codable {
        /// The region's name.
        public var name: String
        /// Degrees north, when the topology states coordinates.
        public var latitude: Double?
        /// Degrees east, when the topology states coordinates.
        public var longitude: Double?

        /// A region from its parts.
        public init(name: String, latitude: Double?, longitude: Double?) {
            self.name = name
            self.latitude = latitude
            self.longitude = longitude
        }
    }

    /// One node.
    public struct Node: Sendable, Equatable, Codable {
        /// The node's id.
        public var id: String
        /// origin, relay, edge or recorder.
        public var role: String
        /// Its region.
        public var region: String
        /// `serving`; `draining` (drained by an operator, or stopping after SIGTERM); `stale`
        /// (in the topology, but no live heartbeat in Redis); `unlisted` (heartbeating, but
        /// not in the topology the answering node runs).
        public var state: String
        /// Milliseconds since its heartbeat last refreshed its entry; `nil` (left out of the
        /// JSON) when stale.
        public var heartbeatAgeMilliseconds: UInt64?
        /// Sessions now.
        public var sessions: Int
        /// The node's session capacity (0: no limit stated).
        public var sessionCapacity: Int
        /// Egress now, in bit/s.
        public var egressBitsPerSecond: Int64
        /// The node's egress capacity in bit/s (0: no limit stated).
        public var egressCapacityBitsPerSecond: Int64
        /// CPU use of the node's media workers, 0...1.
        public var cpu: Double
        /// The digest of the topology the node runs (as ``MeshOverview/appliedTopology``), from
        /// its own report; `nil` when it sent none within 3 s.
        public var topology: String?
        /// Placement decisions per second the node made lately, from its report.
        public var placementsPerSecond: Double?
        /// The 99th percentile of its recent placement decisions, in seconds.
        public var placementP99Seconds: Double?
        /// Wall-clock milliseconds since 1970 when the node began draining (its heartbeat says);
        /// `nil` when it is not draining or did not say.
        public var drainingSince: UInt64?

        /// A node from its parts.
        public init(
            id: String, role: String, region: String, state: String, heartbeatAgeMilliseconds: UInt64?,
            sessions: Int, sessionCapacity: Int, egressBitsPerSecond: Int64, egressCapacityBitsPerSecond: Int64,
            cpu: Double, topology: String? = nil, placementsPerSecond: Double? = nil,
            placementP99Seconds: Double? = nil,
            drainingSince: UInt64? = nil
        ) {
            self.id = id
            self.role = role
            self.region = region
            self.state = state
            self.heartbeatAgeMilliseconds = heartbeatAgeMilliseconds
            self.sessions = sessions
            self.sessionCapacity = sessionCapacity
            self.egressBitsPerSecond = egressBitsPerSecond
            self.egressCapacityBitsPerSecond = egressCapacityBitsPerSecond
            self.cpu = cpu
            self.topology = topology
            self.placementsPerSecond = placementsPerSecond
            self.placementP99Seconds = placementP99Seconds
            self.drainingSince = drainingSince
        }
    }

    /// One relay link, both ends' reports merged.
    public struct Link: Sendable, Equatable, Codable {
        /// The link's id.
        public var id: String
        /// The node that sends media on it.
        public var upstream: String
        /// The node that receives media on it.
        public var downstream: String
        /// Streams it carries, sorted.
        public var streams: [String]
        /// RTP packets per second (as received downstream when that end reported).
        public var packetsPerSecond: Double
        /// Media bits per second, from the same end as ``packetsPerSecond``.
        public var bitsPerSecond: Double
        /// Round-trip time in ms, once the upstream end measured it.
        public var roundTripMilliseconds: Double?
        /// Loss the downstream end last reported, 0...1.
        public var fractionLost: Double

        /// A link from its parts.
        public init(
            id: String, upstream: String, downstream: String, streams: [String], packetsPerSecond: Double,
            bitsPerSecond: Double = 0, roundTripMilliseconds: Double?, fractionLost: Double
        ) {
            self.id = id
            self.upstream = upstream
            self.downstream = downstream
            self.streams = streams
            self.packetsPerSecond = packetsPerSecond
            self.bitsPerSecond = bitsPerSecond
            self.roundTripMilliseconds = roundTripMilliseconds
            self.fractionLost = fractionLost
        }
    }

    /// One live stream.
    public struct Stream: Sendable, Equatable, Codable {
        /// The stream's name.
        public var name: String
        /// The origin its publisher is on.
        public var origin: String
        /// Wall-clock milliseconds since 1970 when it started.
        public var startedAt: UInt64
        /// The nodes that carry it now (the origin, relays, edges), sorted.
        public var carriers: [String]
        /// Viewers per node, as each node last reported them (within 5 s).
        public var viewers: [String: Int]

        /// A stream from its parts.
        public init(name: String, origin: String, startedAt: UInt64, carriers: [String], viewers: [String: Int]) {
            self.name = name
            self.origin = origin
            self.startedAt = startedAt
            self.carriers = carriers
            self.viewers = viewers
        }
    }

    /// An overview from its parts.
    public init(
        mesh: String, answeredBy: String, readAt: UInt64, appliedTopology: String?, answeringNodeTopology: String,
        regions: [Region] = [], nodes: [Node], streams: [Stream], links: [Link] = [], failovers: [Failover] = [],
        drainDeadlineSeconds: Int = 30
    ) {
        self.mesh = mesh
        self.answeredBy = answeredBy
        self.readAt = readAt
        self.appliedTopology = appliedTopology
        self.answeringNodeTopology = answeringNodeTopology
        self.regions = regions
        self.nodes = nodes
        self.streams = streams
        self.links = links
        self.failovers = failovers
        self.drainDeadlineSeconds = drainDeadlineSeconds
    }
}
