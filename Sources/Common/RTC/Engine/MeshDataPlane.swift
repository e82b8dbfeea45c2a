import MeshCluster

/// What a node's control plane (the mesh coordinator) asks of its media engine about relay
/// links: the one interface between placement/Redis/HTTP on one side and the link data plane on
/// the other. No packet crosses it; every call runs on the worker that owns the link.
///
/// A link has one id, drawn by its upstream end (``LinkSetupResponse/linkID``) and used by
/// both ends. Tracks are named by their mesh-wide SSRCs (``MeshTrack/ssrc``), which the origin
/// assigns when a publisher goes live and keeps across the publisher's reconnects.
public protocol MeshDataPlane: AnyObject, Sendable {
    /// This node's id.
    var nodeID: String { get }

    // MARK: Upstream end (origin, relay)

    /// Accepts a link from a downstream node: creates its sending end on one of this node's
    /// workers and answers with that worker's UDP address and the link's id.
    func acceptLink(_ request: LinkSetupRequest) async throws(LinkError) -> LinkSetupResponse

    /// Starts forwarding `tracks` (mesh SSRCs) of `stream` on link `linkID`. The stream must be
    /// carried here (``carriedStream(_:)`` non-nil), else ``LinkError/unknownStream(_:)``.
    func forward(stream: String, tracks: [UInt32], onLink linkID: String) async throws(LinkError)

    /// Stops forwarding `stream` on link `linkID`.
    func stopForwarding(stream: String, onLink linkID: String) async throws(LinkError)

    // MARK: Downstream end (relay, edge)

    /// Draws fresh keys and picks the worker for a new link from `upstreamNode`; returns the
    /// body to `POST /internal/v1/links` on it.
    func prepareUpstreamLink(to upstreamNode: String) async throws(LinkError) -> LinkSetupRequest

    /// The upstream node accepted `request`: starts the receiving end on the worker the request
    /// named and returns the link's id (`accepted.linkID`).
    func openUpstreamLink(_ request: LinkSetupRequest, accepted: LinkSetupResponse)
        async throws(LinkError) -> String

    /// Takes `record`'s tracks from link `linkID`. The first call creates the stream's tracks
    /// here (viewers and downstream links attach to them); a later call with another link
    /// (failover, drain) moves the same tracks to it, so viewers keep their sessions.
    func receive(_ record: StreamRecord, overLink linkID: String) async throws(LinkError)

    /// Stops receiving `stream` (nobody here needs it any more) and forgets its tracks.
    func stopReceiving(stream: String) async

    // MARK: Both ends

    /// Closes link `linkID` (either end); returns `false` when no such link exists.
    func closeLink(_ linkID: String, reason: String) async -> Bool

    /// Test fault: drops `rate` (0…1) of the first transmissions on this node's links to
    /// `downstreamNode`, now and on links opened later (the next hop's NACKs repair them).
    /// Returns how many open links it applies to.
    func setTestLinkDrop(toNode downstreamNode: String, rate: Double) async -> Int

    /// The mesh record of `stream` if this node has its tracks (published here or received).
    func carriedStream(_ stream: String) async -> StreamRecord?

    /// Links, carried streams and their demand, for the coordinator's once-a-second duties.
    func meshStatus() async -> MeshDataStatus

    /// Link and stream events as they happen. Call once: the stream has one consumer.
    func events() -> AsyncStream<MeshDataEvent>
}

/// Why a link request failed; each case maps to one HTTP status on the internal API.
public enum LinkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No link with this id on this node (404).
    case unknownLink(String)
    /// The stream is not carried here (404).
    case unknownStream(String)
    /// The request is malformed or inconsistent (400), with a sentence saying why.
    case invalid(String)
    /// The node cannot take it now (503): shutting down, out of link slots, ...
    case unavailable(String)

    /// A sentence for logs and response bodies.
    public var description: String {
        switch self {
        case .unknownLink(let id): "no relay link '\(id)' on this node"
        case .unknownStream(let name): "stream '\(name)' is not carried by this node"
        case .invalid(let reason): reason
        case .unavailable(let reason): reason
        }
    }
}

/// What the data plane tells the coordinator without being asked.
public enum MeshDataEvent: Sendable, Equatable {
    /// An upstream link heard nothing authenticated for its liveness timeout: re-path `streams`.
    case upstreamLinkDown(linkID: String, upstreamNode: String, streams: [String])
    /// A downstream node stopped sending feedback; its link was closed here.
    case downstreamLinkDown(linkID: String, downstreamNode: String)
    /// A downstream node has sent no feedback for a second (its end reports four times a
    /// second): it may be gone. The link stays open; reported once per silence.
    case downstreamLinkQuiet(linkID: String, downstreamNode: String)
    /// A publisher went live on this origin (or came back): register the record.
    case streamPublished(StreamRecord)
    /// A publisher left this origin; the stream ends unless it returns within the grace period.
    case streamUnpublished(String)
}

/// A snapshot of the node's links and carried streams.
public struct MeshDataStatus: Sendable, Equatable {
    /// Every link end on this node.
    public var links: [LinkSnapshot]
    /// Every stream whose tracks this node has.
    public var streams: [CarriedStreamSnapshot]

    /// A status from its parts.
    public init(links: [LinkSnapshot] = [], streams: [CarriedStreamSnapshot] = []) {
        self.links = links
        self.streams = streams
    }
}

/// One end of a relay link.
public struct LinkSnapshot: Sendable, Equatable {
    /// Which end this node is.
    public enum End: String, Sendable, Equatable {
        /// This node sends media (origin or relay side).
        case upstream
        /// This node receives media (relay or edge side).
        case downstream
    }

    /// The link's id.
    public var id: String
    /// This node's end.
    public var end: End
    /// The node at the other end.
    public var peerNode: String
    /// The other end's UDP address.
    public var peerAddress: LinkAddress
    /// The worker owning this end.
    public var worker: Int
    /// Streams forwarded (upstream end) or received (downstream end) on the link.
    public var streams: [String]
    /// Round-trip time in ms, once measured.
    public var roundTripMilliseconds: Double?
    /// Loss the downstream end last reported, 0...1.
    public var fractionLost: Double
    /// RTP packets sent (upstream end) or received (downstream end).
    public var packets: UInt64
    /// Their bytes: SRTP as sent (upstream end), RTP after decryption (downstream end).
    public var bytes: UInt64
    /// Retransmissions sent (upstream end) or requested (downstream end).
    public var retransmissions: UInt64
    /// Datagrams dropped (bad authentication, replays, unknown SSRC, malformed).
    public var dropped: UInt64

    /// A snapshot from its parts.
    public init(
        id: String, end: End, peerNode: String, peerAddress: LinkAddress, worker: Int, streams: [String],
        roundTripMilliseconds: Double? = nil, fractionLost: Double = 0, packets: UInt64 = 0, bytes: UInt64 = 0,
        retransmissions: UInt64 = 0,
        dropped: UInt64 = 0
    ) {
        self.id = id
        self.end = end
        self.peerNode = peerNode
        self.peerAddress = peerAddress
        self.worker = worker
        self.streams = streams
        self.roundTripMilliseconds = roundTripMilliseconds
        self.fractionLost = fractionLost
        self.packets = packets
        self.bytes = bytes
        self.retransmissions = retransmissions
        self.dropped = dropped
    }
}

/// A stream whose tracks this node has.
public struct CarriedStreamSnapshot: Sendable, Equatable {
    /// Where its packets come from.
    public enum Source: Sendable, Equatable {
        /// A WHIP publisher on this node (origin).
        case publisher
        /// Upstream link `linkID` from `upstreamNode`.
        case link(linkID: String, upstreamNode: String)
        /// Nothing now: the publisher left (within the grace period) or the upstream link went down.
        case none
    }

    /// The mesh record (name, origin, tracks with mesh SSRCs).
    public var record: StreamRecord
    /// Where packets come from.
    public var source: Source
    /// WebRTC viewers on this node.
    public var viewers: Int
    /// Downstream links forwarding it.
    public var downstreamLinks: [String]
    /// Taps on it (a recorder's recordings, ``StreamTap``): they need it as viewers do.
    public var taps: Int

    /// A snapshot from its parts.
    public init(record: StreamRecord, source: Source, viewers: Int, downstreamLinks: [String], taps: Int = 0) {
        self.record = record
        self.source = source
        self.viewers = viewers
        self.downstreamLinks = downstreamLinks
        self.taps = taps
    }
}
