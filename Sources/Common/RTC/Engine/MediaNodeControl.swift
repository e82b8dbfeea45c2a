/// What the HTTP side (MeshControl) asks of a node's media engine, and nothing more.
///
/// This is the one narrow interface between the two event systems of a node: the Hummingbird
/// handlers call these methods on NIO threads; the engine posts each call to the media worker
/// that owns the session and resumes when the worker has done it. No media packet crosses it.
public protocol MediaNodeControl: Sendable {
    /// The node's id from the topology.
    var nodeID: String { get }
    /// The node's role ("origin", "edge", ...).
    var role: String { get }

    /// Starts a publisher session for `stream` from a WHIP offer and returns the answer.
    ///
    /// Throws ``SessionRequestError/streamAlreadyPublished`` when the stream has a live publisher.
    func publish(stream: String, offer: String, client: String) async throws(SessionRequestError) -> SessionAnswer

    /// Starts a viewer session for `stream` from a WHEP offer and returns the answer.
    ///
    /// Throws ``SessionRequestError/unknownStream`` when the stream is neither live nor declared.
    func view(stream: String, offer: String, client: String, options: ViewerOptions) async throws(SessionRequestError)
        -> SessionAnswer

    /// Ends the session at `address` (WHIP/WHEP `DELETE`); returns `false` when no session has
    /// that id, stream and role, exactly as for an id nobody ever had.
    func endSession(_ address: SessionAddress, reason: String) async -> Bool

    /// Applies a WHIP/WHEP `PATCH` body (`application/trickle-ice-sdpfrag`, RFC 8840) to the
    /// session at `address`; ``SessionRequestError/unknownSession`` unless id, stream and role match.
    ///
    /// A fragment with the session's current ufrag adds trickled candidates (`.trickled`); one
    /// with new `ice-ufrag`/`ice-pwd` restarts ICE (`.restarted` with the answer fragment).
    func patchSession(_ address: SessionAddress, fragment: String) async throws(SessionRequestError)
        -> SessionPatchResult

    /// The ICE generation of the session at `address`, which WHIP's strong `ETag` is made from;
    /// `nil` unless id, stream and role match.
    func sessionTag(_ address: SessionAddress) async -> String?

    /// Which of `ids` are sessions the engine still has. For the HTTP side's own bookkeeping
    /// (forgetting what it remembered of ended sessions); never answer a client from it.
    func liveSessionIDs(among ids: [String]) async -> Set<String>

    /// Declares a stream ahead of its publisher, so that viewers may join before it goes live.
    func declareStream(_ stream: String) async

    /// A snapshot of the node for `/health`.
    func health() async -> NodeHealth
    /// Counters and gauges for `/metrics`.
    func metrics() async -> NodeMetrics
    /// Every stream the node knows, for `/v1/streams`.
    func streams() async -> [StreamSnapshot]
    /// Whether the node accepts sessions now (workers running, ports bound), for `/ready`.
    func isReady() async -> Bool
    /// Whether its media loops still turn, for `/health/live`.
    func liveness() async -> NodeLiveness
}

extension MediaNodeControl {
    /// A control with no media loops of its own has none that can stall.
    public func liveness() async -> NodeLiveness { NodeLiveness(workers: []) }
}

/// The answer to a WHIP or WHEP offer.
public struct SessionAnswer: Sendable, Equatable {
    /// The session's id, the last path component of its `Location`.
    public var sessionID: String
    /// The SDP answer.
    public var sdp: String
    /// The session's current ICE generation tag (for the strong `ETag`).
    public var tag: String

    /// Creates an answer.
    public init(sessionID: String, sdp: String, tag: String) {
        self.sessionID = sessionID
        self.sdp = sdp
        self.tag = tag
    }
}

/// What a `PATCH` did.
public enum SessionPatchResult: Sendable, Equatable {
    /// Trickled candidates were taken (WHIP answers `204`).
    case trickled
    /// ICE restarted; the body is the answer sdpfrag and `tag` the new ETag (WHIP answers `200`).
    case restarted(fragment: String, tag: String)
}

/// Per-viewer options a WHEP request may carry.
public struct ViewerOptions: Sendable, Equatable {
    /// Caps the viewer's bandwidth estimate, in bits per second (the `maxBitrate` query parameter).
    public var maxBitrate: Int?
    /// How long the cap holds before the estimate may rise again (`maxBitrateSeconds`); `nil`: forever.
    public var maxBitrateSeconds: Double?

    /// Creates options.
    public init(maxBitrate: Int? = nil, maxBitrateSeconds: Double? = nil) {
        self.maxBitrate = maxBitrate
        self.maxBitrateSeconds = maxBitrateSeconds
    }
}

/// Why the engine refused a session request; MeshControl maps each case to an HTTP status.
public enum SessionRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offer is not valid SDP or misses something WebRTC requires (400); says what.
    case badOffer(String)
    /// No media section offers a codec the node forwards (400 with the list; WHIP says 400/406).
    case noUsableCodec(String)
    /// The stream already has a live publisher (409).
    case streamAlreadyPublished
    /// The stream is neither live nor declared (404).
    case unknownStream
    /// No session with this id (404).
    case unknownSession
    /// The node is at capacity or shutting down (503).
    case unavailable(String)

    /// A sentence for the response body and the log.
    public var description: String {
        switch self {
        case .badOffer(let why): "malformed SDP offer: \(why)"
        case .noUsableCodec(let why): "no usable codec: \(why)"
        case .streamAlreadyPublished: "the stream already has a live publisher"
        case .unknownStream: "unknown stream"
        case .unknownSession: "unknown session"
        case .unavailable(let why): "unavailable: \(why)"
        }
    }
}

/// `/health`.
public struct NodeHealth: Sendable, Equatable, Codable {
    /// The node's id.
    public var node: String
    /// The node's role.
    public var role: String
    /// Media workers running.
    public var workers: Int
    /// Live WebRTC sessions (publishers and viewers).
    public var sessions: Int
    /// Streams with a live publisher.
    public var streams: Int

    /// Creates a snapshot.
    public init(node: String, role: String, workers: Int, sessions: Int, streams: Int) {
        self.node = node
        self.role = role
        self.workers = workers
        self.sessions = sessions
        self.streams = streams
    }
}

/// Everything `/metrics` exports; counters only grow.
public struct NodeMetrics: Sendable, Equatable {
    /// Live sessions by kind.
    public var publishers = 0
    /// Live viewer sessions.
    public var viewers = 0
    /// Streams with a live publisher.
    public var streams = 0
    /// Per-worker counters, indexed by worker.
    public var workers: [WorkerMetrics] = []

    /// Creates an empty snapshot.
    public init() {}
}

/// One media worker's counters.
public struct WorkerMetrics: Sendable, Equatable {
    /// The worker's index.
    public var worker = 0
    /// RTP/RTCP/STUN/DTLS datagrams received and their bytes.
    public var packetsIn = 0
    /// Bytes received.
    public var bytesIn = 0
    /// Datagrams sent and their bytes.
    public var packetsOut = 0
    /// Bytes sent.
    public var bytesOut = 0
    /// RTP packets forwarded to viewers (one per viewer).
    public var packetsForwarded = 0
    /// NACKed packets: received from viewers, and sent to publishers.
    public var nacksReceived = 0
    /// NACK requests sent upstream to publishers.
    public var nacksSent = 0
    /// Packets retransmitted to viewers.
    public var retransmissions = 0
    /// Padding packets sent to viewers by bandwidth probes (RTX copies of recent packets).
    public var paddingPackets = 0
    /// PLI/FIR received from viewers, and sent to publishers.
    public var keyframeRequestsReceived = 0
    /// PLI/FIR sent to publishers after merging.
    public var keyframeRequestsSent = 0
    /// Relay link datagrams sent in UDP GSO runs (one system call per run).
    public var linkDatagramsSegmented = 0
    /// DTLS handshake records put off to a later loop turn so that a join burst cannot hold the
    /// loop (`HandshakeBacklog`).
    public var handshakeRecordsDeferred = 0
    /// Datagrams dropped, by reason (garbage, unknown sender, SRTP auth failure, no buffer, ...).
    public var drops: [String: Int] = [:]
    /// The share of wall time the worker's loop spent busy since the last snapshot, 0...1.
    public var loopUtilisation = 0.0

    /// Creates zeroed counters.
    public init() {}
}

/// `/v1/streams` and `/v1/streams/{stream}`: public, so it counts sessions and never names
/// them (a session's id is its resource's address, `/whip/{stream}/{id}`).
public struct StreamSnapshot: Sendable, Equatable, Codable {
    /// The stream's name.
    public var name: String
    /// Whether media is flowing in: a WHIP publisher here, or a relay link from upstream.
    public var live: Bool
    /// WHIP publisher sessions on this node: 0 or 1.
    public var publishers: Int
    /// The stream's tracks.
    public var tracks: [TrackSnapshot]
    /// Viewer sessions watching it.
    public var viewers: Int

    /// Creates a snapshot.
    public init(name: String, live: Bool, publishers: Int, tracks: [TrackSnapshot], viewers: Int) {
        self.name = name
        self.live = live
        self.publishers = publishers
        self.tracks = tracks
        self.viewers = viewers
    }
}

/// One track of a stream.
public struct TrackSnapshot: Sendable, Equatable, Codable {
    /// The track's mid in the publisher's offer.
    public var mid: String
    /// `audio` or `video`.
    public var kind: String
    /// The codec's name (`opus`, `VP8`, `VP9`, `H264`).
    public var codec: String
    /// Simulcast layers (rids), or one unnamed layer.
    public var layers: [LayerSnapshot]

    /// Creates a snapshot.
    public init(mid: String, kind: String, codec: String, layers: [LayerSnapshot]) {
        self.mid = mid
        self.kind = kind
        self.codec = codec
        self.layers = layers
    }
}

/// One simulcast layer (or the only encoding) of a track.
public struct LayerSnapshot: Sendable, Equatable, Codable {
    /// The rid, empty without simulcast.
    public var rid: String
    /// The layer's SSRC as the publisher sends it.
    public var ssrc: UInt32
    /// Received bitrate over the last second, bits per second.
    public var bitrate: Int
    /// Viewers currently receiving this layer.
    public var viewers: Int
    /// The layer's place among the track's layers by what it carries (0: the smallest; see
    /// ``LayerOrder``), whatever its place in the publisher's SDP.
    public var rank: Int
    /// The picture size of the layer's last key frame; `nil` for audio and before a key frame.
    public var width: Int?
    /// See ``width``.
    public var height: Int?
    /// Frames received over the last second (video; 0 for audio).
    public var framesPerSecond: Int

    /// Creates a snapshot.
    public init(
        rid: String, ssrc: UInt32, bitrate: Int, viewers: Int, rank: Int = 0, width: Int? = nil, height: Int? = nil,
        framesPerSecond: Int = 0
    ) {
        self.rid = rid
        self.ssrc = ssrc
        self.bitrate = bitrate
        self.viewers = viewers
        self.rank = rank
        self.width = width
        self.height = height
        self.framesPerSecond = framesPerSecond
    }
}
