import MeshRTC

/// What the HTTP side asks of the mesh: where a WHIP/WHEP client should go, and the internal
/// API's link requests. Implemented by the mesh coordinator (MeshCascade); a node started without
/// Redis has none, and then serves every WHIP/WHEP request itself as a single SFU.
public protocol MeshCoordination: Sendable {
    /// Where a WHEP viewer of `stream` should go. When the answer is ``PlacementVerdict/here``
    /// the stream is already carried by this node (the coordinator subscribed it upstream).
    func placeViewer(stream: String, request: PlacementRequest) async -> PlacementVerdict

    /// Where a WHIP publisher of `stream` should go (an origin in the client's region).
    func placePublisher(stream: String, request: PlacementRequest) async -> PlacementVerdict

    /// A viewer served here has its session (or failed to get one): what its placement grant
    /// holds (a reserved slot, the client's unfollowed-redirect count) is released either way.
    func viewerArrived(stream: String, grant: String?) async

    /// A publisher placed here has its session (`published`) or failed to get one: a failed
    /// one's claim on the stream is released at once.
    func publisherSettled(stream: String, published: Bool) async

    /// `POST /internal/v1/links`.
    func acceptLink(_ request: LinkSetupRequest) async throws(InternalRequestError) -> LinkSetupResponse
    /// `POST /internal/v1/links/{link}/subscriptions`.
    func subscribe(link: String, _ request: RelaySubscriptionRequest) async throws(InternalRequestError)
    /// `DELETE /internal/v1/links/{link}/subscriptions/{stream}`.
    func unsubscribe(link: String, stream: String) async throws(InternalRequestError)
    /// `DELETE /internal/v1/links/{link}`.
    func closeLink(_ link: String) async throws(InternalRequestError)
    /// Test fault (`MESHCAST_TEST_FAULTS=1` only): drop `rate` of first transmissions on the
    /// links to `downstreamNode`; returns how many open links it applies to.
    func setTestLinkDrop(toNode downstreamNode: String, rate: Double) async -> Int

    /// Lines appended to `/metrics` (Prometheus text format, each ending in a newline): link and
    /// placement figures the coordinator keeps.
    func metricsText() async -> String

    /// `GET /v1/mesh`: the whole mesh read from Redis, at most about a second old; `nil` when
    /// Redis cannot be read now.
    func meshOverview() async -> MeshOverview?
}

/// What placement needs to know about a WHIP/WHEP request.
public struct PlacementRequest: Sendable, Equatable {
    /// The TCP peer's address.
    public var peerAddress: String?
    /// The `X-Forwarded-For` header, believed only from the topology's trusted proxies.
    public var forwardedFor: String?
    /// The `region` query parameter.
    public var regionParameter: String?
    /// The `grant` query parameter: a signed ``PlacementGrant`` an earlier placement gave the
    /// client for this node. A node serves a request with a valid grant for itself without
    /// deciding again (no redirect loops, and no Redis needed); any other grant is refused.
    public var grant: String?
    /// The client's bearer token, whose unfollowed redirects are counted (as a digest).
    public var token: String?

    /// A request from its parts.
    public init(
        peerAddress: String? = nil, forwardedFor: String? = nil, regionParameter: String? = nil,
        grant: String? = nil, token: String? = nil
    ) {
        self.peerAddress = peerAddress
        self.forwardedFor = forwardedFor
        self.regionParameter = regionParameter
        self.grant = grant
        self.token = token
    }
}

/// The answer placement gives for one request.
public enum PlacementVerdict: Sendable, Equatable {
    /// Serve it on this node.
    case here
    /// Answer `307` to the same path on `apiBase` (`http://host:port`), adding `grant=...` (a
    /// signed ``PlacementGrant`` for `nodeID`) to the query.
    case redirect(nodeID: String, apiBase: String, grant: String)
    /// Nothing can be decided now (Redis away, no capacity anywhere): `503` with `Retry-After`.
    case unavailable(reason: String, retryAfterSeconds: Int)
    /// Refused for good (`404` unknown stream, `403` policy, ...).
    case refused(status: Int, reason: String)
}

/// Why an internal API request failed; each maps to one status.
public enum InternalRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 404: no such link.
    case unknownLink(String)
    /// 404: the stream is not known here or upstream.
    case unknownStream(String)
    /// 400: malformed or inconsistent, with a sentence.
    case invalid(String)
    /// 503: cannot do it now, with a sentence.
    case unavailable(String)

    /// A sentence for the response body.
    public var description: String {
        switch self {
        case .unknownLink(let id): "no relay link '\(id)' on this node"
        case .unknownStream(let name): "stream '\(name)' is not carried here and cannot be joined"
        case .invalid(let reason): reason
        case .unavailable(let reason): reason
        }
    }
}

extension LinkError {
    /// The internal API's form of a data plane refusal.
    public var internalRequestError: InternalRequestError {
        switch self {
        case .unknownLink(let id): .unknownLink(id)
        case .unknownStream(let name): .unknownStream(name)
        case .invalid(let reason): .invalid(reason)
        case .unavailable(let reason): .unavailable(reason)
        }
    }
}
