import MeshCluster

/// A node's UDP address as the set-up API names it: a literal IP and a port.
public struct LinkAddress: Sendable, Hashable, Codable {
    /// A literal IPv4 or IPv6 address (no host names: the data plane never resolves).
    public var host: String
    /// The UDP port.
    public var port: UInt16

    /// An address from its parts.
    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }
}

/// What `POST /internal/v1/links` asks: a downstream node asks an upstream node for a link.
///
/// The downstream side draws the keys (``LinkKeys/generate()``) so that one round trip
/// sets the link up; the upstream answers with its own media address. This is the value both
/// ends work with; on the wire it is a ``SealedLinkSetupRequest``, whose keys are sealed
/// to this request's nodes and address.
public struct LinkSetupRequest: Sendable, Hashable {
    /// The node asking (the link's downstream end).
    public var downstreamNode: String
    /// The node asked (the link's upstream end). Named, and bound into the sealed keys, so that
    /// a request captured on its way to one node is refused by any other.
    public var upstreamNode: String
    /// Where the downstream node receives link media (and sends its feedback from).
    public var downstreamAddress: LinkAddress
    /// Fresh master keys for both directions.
    public var keys: LinkKeys

    /// A request from `downstreamNode` at `downstreamAddress` to `upstreamNode`, proposing `keys`.
    public init(
        downstreamNode: String, upstreamNode: String, downstreamAddress: LinkAddress, keys: LinkKeys
    ) {
        self.downstreamNode = downstreamNode
        self.upstreamNode = upstreamNode
        self.downstreamAddress = downstreamAddress
        self.keys = keys
    }
}

/// The answer to `POST /internal/v1/links`: the upstream node accepted the link. On the wire it
/// is a ``SealedLinkSetupResponse``.
public struct LinkSetupResponse: Sendable, Hashable {
    /// The link's identifier on the upstream node (used in later subscription paths).
    public var linkID: String
    /// The node answering (the link's upstream end).
    public var upstreamNode: String
    /// Where the upstream node sends media from and receives feedback.
    public var upstreamAddress: LinkAddress
    /// The keys in force: the request's, sent back sealed to this answer so that both ends can
    /// check they agree (key confirmation) without the keys ever travelling in clear.
    public var keys: LinkKeys

    /// An acceptance of link `linkID` by `upstreamNode`.
    public init(linkID: String, upstreamNode: String, upstreamAddress: LinkAddress, keys: LinkKeys) {
        self.linkID = linkID
        self.upstreamNode = upstreamNode
        self.upstreamAddress = upstreamAddress
        self.keys = keys
    }
}

/// The body of `POST /internal/v1/links/{link}/subscriptions`: forward a stream's tracks on the
/// link. Tracks are named by their mesh-wide SSRCs (every simulcast layer has its own).
///
/// The request carries the stream's whole record, so an upstream relay that does not carry the
/// stream yet can join it without reading Redis: re-pathing works while Redis is away.
public struct RelaySubscriptionRequest: Sendable, Equatable, Codable {
    /// The stream's name.
    public var stream: String
    /// The mesh SSRCs of the tracks (and layers) to forward.
    public var tracks: [UInt32]
    /// The stream's mesh record (origin, tracks, codecs).
    public var record: StreamRecord

    /// A subscription to `tracks` of the stream `record` describes.
    public init(record: StreamRecord, tracks: [UInt32]? = nil) {
        self.stream = record.name
        self.tracks = tracks ?? record.tracks.map(\.ssrc)
        self.record = record
    }
}
