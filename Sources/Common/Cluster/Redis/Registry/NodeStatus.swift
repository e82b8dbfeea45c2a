/// What one node tells the mesh about itself (`node:{id}` in Redis): written whole when it
/// changes, its expiry refreshed four times a second (`NodeRegistry.runHeartbeats`).
public struct NodeStatus: Sendable, Equatable {
    /// The node's topology id.
    public var id: String
    /// Origin, relay, edge or recorder.
    public var role: NodeRole
    /// The topology region the node is in.
    public var region: String
    /// Base URL of its HTTP API (WHIP/WHEP and the internal API), e.g. `http://127.0.0.1:8080`.
    public var apiURL: String
    /// Its media address as `host:port` (relay links and ICE candidates).
    public var mediaAddress: String
    /// How much the node may take.
    public var capacity: Capacity
    /// How much it carries now.
    public var load: Load
    /// True while the node is being drained: it takes no new viewers. Read from Redis; a
    /// heartbeat does not write it directly: the heartbeat script sets it from the operator's
    /// drain marker (`NodeRegistry.setDraining`) or from ``stopping``.
    public var draining: Bool
    /// True once the node was asked to stop (SIGTERM) and lets its sessions finish: placement
    /// treats it as draining. Unlike the drain marker it lives in the status itself, so it ends
    /// with the node and a restarted node is not drained by its previous life.
    public var stopping: Bool
    /// Wall-clock milliseconds since 1970 when the node first saw itself draining or stopping
    /// (its own clock); `nil` while it is not, or from a build that did not say. Operators
    /// compare it with the drain deadline (`/v1/mesh`); placement does not read it.
    public var drainingSince: UInt64?
    /// Wall-clock milliseconds since 1970 when the status was taken (passed in, not read). A
    /// refresh of an unchanged status does not rewrite it.
    public var updatedAt: UInt64

    /// A node's limits.
    public struct Capacity: Sendable, Equatable {
        /// Viewer or client sessions it may hold.
        public var sessions: Int
        /// Egress it may send, in bits per second.
        public var egressBitsPerSecond: Int64

        /// Limits from their values.
        public init(sessions: Int, egressBitsPerSecond: Int64) {
            self.sessions = sessions
            self.egressBitsPerSecond = egressBitsPerSecond
        }
    }

    /// A node's live load.
    public struct Load: Sendable, Equatable {
        /// CPU use as a fraction of the whole machine (0...1).
        public var cpu: Double
        /// Egress in bits per second.
        public var egressBitsPerSecond: Int64
        /// Egress in packets per second.
        public var packetsPerSecond: Int64
        /// Sessions held now.
        public var sessions: Int

        /// A load from its values.
        public init(cpu: Double = 0, egressBitsPerSecond: Int64 = 0, packetsPerSecond: Int64 = 0, sessions: Int = 0) {
            self.cpu = cpu
            self.egressBitsPerSecond = egressBitsPerSecond
            self.packetsPerSecond = packetsPerSecond
            self.sessions = sessions
        }
    }

    /// A status from its parts.
    public init(
        id: String, role: NodeRole, region: String, apiURL: String, mediaAddress: String, capacity: Capacity,
        load: Load = Load(), draining: Bool = false, stopping: Bool = false, drainingSince: UInt64? = nil,
        updatedAt: UInt64
    ) {
        self.id = id
        self.role = role
        self.region = region
        self.apiURL = apiURL
        self.mediaAddress = mediaAddress
        self.capacity = capacity
        self.load = load
        self.draining = draining
        self.stopping = stopping
        self.drainingSince = drainingSince
        self.updatedAt = updatedAt
    }
}

extension NodeStatus {
    /// Hash field names; shared with the Lua scripts, which read `sessions`, `capSessions` and
    /// `draining` directly.
    enum Field {
        static let role = "role"
        static let region = "region"
        static let api = "api"
        static let media = "media"
        static let capacitySessions = "capSessions"
        static let capacityEgress = "capEgressBps"
        static let cpu = "cpu"
        static let egress = "egressBps"
        static let packets = "pps"
        static let sessions = "sessions"
        static let draining = "draining"
        static let stopping = "stopping"
        static let drainingSince = "drainingSince"
        static let updatedAt = "updatedAt"
    }

    /// The fields a heartbeat writes. `draining` is not among them: the heartbeat script derives
    /// it from the drain marker (`NodeRegistry.setDraining`) and `stopping`, so a drain survives
    /// heartbeats.
    var heartbeatFields: [String] {
        [
            Field.role, role.rawValue, Field.region, region, Field.api, apiURL, Field.media, mediaAddress,
            Field.capacitySessions, String(capacity.sessions), Field.capacityEgress,
            String(capacity.egressBitsPerSecond),
            Field.cpu, String(load.cpu), Field.egress, String(load.egressBitsPerSecond),
            Field.packets, String(load.packetsPerSecond), Field.sessions, String(load.sessions),
            Field.stopping, stopping ? "1" : "0", Field.updatedAt, String(updatedAt),
            // 0 rather than no field: a heartbeat's HSET would leave an earlier value in place.
            Field.drainingSince, String(drainingSince ?? 0),
        ]
    }

    /// Decodes an `HGETALL node:{id}` reply; nil when fields are missing or malformed (a node
    /// written by an incompatible build is skipped rather than failing the whole listing).
    init?(id: String, fields: [String: String]) {
        guard let roleText = fields[Field.role], let role = NodeRole(rawValue: roleText),
            let region = fields[Field.region], let api = fields[Field.api], let media = fields[Field.media],
            let capacitySessions = fields[Field.capacitySessions].flatMap({ Int($0) }),
            let capacityEgress = fields[Field.capacityEgress].flatMap({ Int64($0) }),
            let cpu = fields[Field.cpu].flatMap({ Double($0) }),
            let egress = fields[Field.egress].flatMap({ Int64($0) }),
            let packets = fields[Field.packets].flatMap({ Int64($0) }),
            let sessions = fields[Field.sessions].flatMap({ Int($0) }),
            let updatedAt = fields[Field.updatedAt].flatMap({ UInt64($0) })
        else { return nil }
        self.init(
            id: id, role: role, region: region, apiURL: api, mediaAddress: media,
            capacity: Capacity(sessions: capacitySessions, egressBitsPerSecond: capacityEgress),
            load: Load(cpu: cpu, egressBitsPerSecond: egress, packetsPerSecond: packets, sessions: sessions),
            draining: fields[Field.draining] == "1", stopping: fields[Field.stopping] == "1",
            drainingSince: fields[Field.drainingSince].flatMap { UInt64($0) }.flatMap { $0 > 0 ? $0 : nil },
            updatedAt: updatedAt)
    }
}
