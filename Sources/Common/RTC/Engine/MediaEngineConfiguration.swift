import MeshCluster
import MeshRuntime

/// How a node's media engine runs.
///
/// Keys:
/// - `nodeID`, `role`: from the topology, reported by `/health` and in logs.
/// - `mediaHost`: the address each worker binds its UDP port on.
/// - `announceIP`: the address put in host candidates (differs from `mediaHost` behind NAT).
/// - `firstPort`: worker *n* binds `firstPort + n`.
/// - `streamGraceSeconds`: how long a stream stays known after its publisher leaves, so that
///   viewers keep their sessions through a publisher's reconnect (default 300 s).
/// - `declaredStreamTTLSeconds`: how long a declared stream (`PUT /v1/streams/{stream}`)
///   with neither publisher nor viewers stays known (the topology's
///   `policies.declared_stream_ttl_seconds`, default 600 s); ``MediaEngine/setDeclaredStreamTTL(seconds:)``
///   changes it on a running node.
/// - `linkDropRate`, `hopTracePath`, `linkLivenessTimeout`: relay link knobs (see each).
/// - `viewerStartBitrate`: a new viewer's assumed bandwidth before it reports any
///   (`policies.viewer_start_bitrate`): it starts on the highest simulcast layer that fits.
/// - `limits`: sessions admitted at once (``SessionLimits``; unlimited by default).
/// - `egressDropRate`: a test knob (`MESHCAST_TEST_DROP_EGRESS`): the share of first
///   transmissions to viewers dropped at random before sending, to exercise NACK/RTX.
public struct MediaEngineConfiguration: Sendable {
    /// The node's id.
    public var nodeID: String
    /// The node's role name.
    public var role: String
    /// The address the workers bind.
    public var mediaHost: String
    /// The address announced in ICE candidates.
    public var announceIP: String
    /// The port of worker 0; worker *n* binds `firstPort + n`.
    public var firstPort: UInt16
    /// Seconds a stream stays known after its publisher leaves.
    public var streamGraceSeconds: Double = 300
    /// Seconds an unused declared stream stays known.
    public var declaredStreamTTLSeconds = Double(StreamPolicies.defaultDeclaredStreamTTLSeconds)
    /// Share of first transmissions dropped before sending (test knob; 0 in production).
    public var egressDropRate: Double = 0
    /// Share of first transmissions on relay links dropped before sending
    /// (`MESHCAST_TEST_DROP_LINK`, a test knob; 0 in production).
    public var linkDropRate: Double = 0
    /// Where to write the hop trace at shutdown (`MESHCAST_TRACE_HOPS`, a measuring knob).
    public var hopTracePath: String?
    /// The downstream end calls a link down after hearing nothing for this long (ns). DESIGN.md
    /// allows 2 s; 1 s (five keepalive intervals of an idle link, fifty audio packets of a busy
    /// one) lets viewers see pictures again within 2 s of an upstream node's death.
    public var linkLivenessTimeout: UInt64 = 1_000_000_000
    /// A new viewer's bandwidth before it reports any (bits per second).
    public var viewerStartBitrate = ViewerBandwidthEstimator.Configuration.defaultInitialBitrate
    /// What the node admits: its capacity, the stream policies, whether it takes publishers.
    public var limits = SessionLimits.unlimited
    /// Sessions a stream's first worker takes before its sessions spread over the others
    /// (``SessionPlaces``); 0 deals every session to the next worker in turn.
    public var streamFill = SessionPlaces.defaultStreamFill

    /// Creates a configuration.
    public init(nodeID: String, role: String, mediaHost: String, announceIP: String, firstPort: UInt16) {
        self.nodeID = nodeID
        self.role = role
        self.mediaHost = mediaHost
        self.announceIP = announceIP
        self.firstPort = firstPort
    }
}
