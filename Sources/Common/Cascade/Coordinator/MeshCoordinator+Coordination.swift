import MeshControl
import MeshRTC

/// ``MeshCoordination``, what the HTTP side asks: each call goes to the part whose job it is.
extension MeshCoordinator {
    /// Where a WHEP viewer of `stream` should go.
    public func placeViewer(stream: String, request: PlacementRequest) async -> PlacementVerdict {
        await placement.placeViewer(stream: stream, request: request)
    }

    /// Where a WHIP publisher of `stream` should go.
    public func placePublisher(stream: String, request: PlacementRequest) async -> PlacementVerdict {
        await placement.placePublisher(stream: stream, request: request)
    }

    /// Releases what the viewer's grant held: its reserved slot on this node and its place in
    /// the client's unfollowed-redirect counts.
    public func viewerArrived(stream: String, grant: String?) async {
        await grants.viewerArrived(grant: grant)
    }

    /// A publisher placed here got its session or failed to: the role's intake says what that
    /// means for the claim it made (an origin gives a failed publisher's claim back).
    public func publisherSettled(stream: String, published: Bool) async {
        await intake.publishers.publisherSettled(stream, published: published, claims: limits)
    }

    /// `POST /internal/v1/links`: the data plane opens the sending end of a link asked of this node.
    public func acceptLink(_ request: LinkSetupRequest) async throws(InternalRequestError) -> LinkSetupResponse {
        try await linkRequests.acceptLink(request)
    }

    /// `POST /internal/v1/links/{link}/subscriptions`.
    public func subscribe(link: String, _ request: RelaySubscriptionRequest) async throws(InternalRequestError) {
        try await linkRequests.subscribe(link: link, request)
    }

    /// `DELETE /internal/v1/links/{link}/subscriptions/{stream}`.
    public func unsubscribe(link: String, stream: String) async throws(InternalRequestError) {
        try await linkRequests.unsubscribe(link: link, stream: stream)
    }

    /// `POST /internal/v1/test/link-drop` (`MESHCAST_TEST_FAULTS=1` only).
    public func setTestLinkDrop(toNode downstreamNode: String, rate: Double) async -> Int {
        await linkRequests.setTestLinkDrop(toNode: downstreamNode, rate: rate)
    }

    /// `DELETE /internal/v1/links/{link}`.
    public func closeLink(_ link: String) async throws(InternalRequestError) {
        try await linkRequests.closeLink(link)
    }

    /// Placement counts and timings, each link's RTT, loss and counters, the last re-path.
    public func metricsText() async -> String {
        let timings = placement.decisionTimings
        let (refused, unreserved) = grants.figures
        let repath = carrier.lastRepathSeconds
        let links = await dataPlane.meshStatus().links
        return CoordinatorMetrics(
            timings: timings, grantsRefused: refused, unreservedRedirects: unreserved, lastRepathSeconds: repath,
            links: links
        ).text
    }

    public func meshOverview() async -> MeshOverview? {
        await overviewReader.overview()
    }
}
