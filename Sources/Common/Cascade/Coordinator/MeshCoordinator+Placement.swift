import Foundation
import MeshCluster
import MeshControl
import MeshCrypto

/// Where WHIP publishers and WHEP viewers go.
extension MeshCoordinator {
    /// Where a WHEP viewer of `stream` should go.
    public func placeViewer(stream: String, request: PlacementRequest) async -> PlacementVerdict {
        await timed { await self.decideViewer(stream: stream, request: request) }
    }

    /// Where a WHIP publisher of `stream` should go.
    public func placePublisher(stream: String, request: PlacementRequest) async -> PlacementVerdict {
        await timed { await self.decidePublisher(stream: stream, request: request) }
    }

    /// Releases what the viewer's grant held: its reserved slot on this node and its place in
    /// the client's unfollowed-redirect counts.
    public func viewerArrived(stream: String, grant: String?) async {
        guard let grant = grant.flatMap(PlacementGrantSigner.unverifiedGrant), grant.node == nodeID else { return }
        // An unreleased reservation expires by itself; a failure here costs a slot for seconds.
        if grant.reserved { _ = try? await reservations.release(node: nodeID, token: grant.id) }
        try? await redirectQuota.release(id: grant.id, holders: grant.holders)
    }

    /// A publisher placed here that got no session gives its claim on the stream back, unless
    /// the stream is live here: a second publisher refused with 409 must not free the first's.
    public func publisherSettled(stream: String, published: Bool) async {
        guard !published, await dataPlane.carriedStream(stream) == nil else { return }
        await releaseClaim(stream)
    }

    /// Runs one decision and records its monotonic duration and verdict.
    private func timed(_ decide: () async -> PlacementVerdict) async -> PlacementVerdict {
        let clock = ContinuousClock()
        let started = clock.now
        let verdict = await decide()
        let elapsed = started.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        state.withLock { $0.timings.record(seconds: seconds, verdict: verdict.metricLabel) }
        return verdict
    }

    private func decideViewer(stream: String, request: PlacementRequest) async -> PlacementVerdict {
        if let grant = request.grant {
            return await redeem(grant, action: .view, stream: stream) {
                policy.servesViewers ? await self.serveHere(stream) : Self.servesNoViewers
            }
        }
        guard redis.isAvailable else { return Self.redisAway }
        let (topology, index, resolver) = state.withLock { ($0.topology, $0.index, $0.resolver) }
        do throws(RedisError) {
            let carried = await dataPlane.carriedStream(stream)
            guard let record = try await directory.lookup(stream) ?? carried else {
                return .refused(status: 404, reason: "stream '\(stream)' is not published")
            }
            if let full = try await viewerLimitRefusal(stream) { return full }
            if topology.nodes(withRole: .edge).isEmpty {
                // No edges: the origin serves its viewers itself.
                if record.originNode == nodeID { return await serveHere(stream, record: record) }
                return redirect(to: record.originNode, stream: stream, action: .view, id: Self.grantID())
            }
            var live = try await liveState(stream: stream, origin: record.originNode)
            if let reason = registrySettling(live, role: .edge, topology: topology) {
                return .unavailable(reason: reason, retryAfterSeconds: 1)
            }
            let client = locateClient(request, resolver: resolver, topology: topology)
            let selector = EdgeSelector(index: index)
            for _ in 0..<topology.nodes(withRole: .edge).count {
                let chosen: NodeSelection
                do throws(PlacementFailure) {
                    chosen = try selector.select(stream: stream, clientRegion: client.region, state: live)
                } catch {
                    return .unavailable(reason: error.reason, retryAfterSeconds: Self.retryAfterSeconds)
                }
                if chosen.nodeID == nodeID { return await serveHere(stream, record: record) }
                let id = Self.grantID()
                guard let holders = try await redirectHolders(address: client.address, token: request.token, id: id)
                else {
                    // The client holds enough unfollowed redirects: placed, but nothing reserved.
                    return redirect(to: chosen.nodeID, stream: stream, action: .view, id: id)
                }
                switch try await reservations.reserve(node: chosen.nodeID, token: id, now: Self.wallMilliseconds()) {
                case .reserved:
                    return redirect(
                        to: chosen.nodeID, stream: stream, action: .view, id: id, reserved: true, holders: holders)
                case .refused(let why):
                    try await redirectQuota.release(id: id, holders: holders)
                    // Someone else took the last slot since the snapshot: ask for the next choice.
                    logger.debug("mesh: reservation on \(chosen.nodeID) refused (\(why.rawValue)) for '\(stream)'")
                    live.nodes[chosen.nodeID] = NodeLoad(alive: false)
                }
            }
            return .unavailable(
                reason: "no edge could reserve a slot for a viewer of '\(stream)'",
                retryAfterSeconds: Self.retryAfterSeconds)
        } catch {
            return .unavailable(
                reason: "placement failed reading Redis: \(error)", retryAfterSeconds: Self.retryAfterSeconds)
        }
    }

    private func decidePublisher(stream: String, request: PlacementRequest) async -> PlacementVerdict {
        let (topology, index, resolver) = state.withLock { ($0.topology, $0.index, $0.resolver) }
        let takesPublishers = policy.acceptsPublishers
        if let grant = request.grant {
            return await redeem(grant, action: .publish, stream: stream) {
                takesPublishers ? await self.claimHere(stream) : Self.notAnOrigin
            }
        }
        guard redis.isAvailable else { return takesPublishers ? .here : Self.redisAway }
        do throws(RedisError) {
            var live = try await liveState(stream: nil, origin: nil)
            if let reason = registrySettling(live, role: .origin, topology: topology) {
                return takesPublishers ? await claimHere(stream) : .unavailable(reason: reason, retryAfterSeconds: 1)
            }
            if let record = try await directory.lookup(stream) {
                live.streams[stream] = StreamPlacement(origin: record.originNode)
            }
            let region = locateClient(request, resolver: resolver, topology: topology).region
            let chosen: NodeSelection
            do throws(PlacementFailure) {
                chosen = try OriginSelector(index: index).select(stream: stream, clientRegion: region, state: live)
            } catch {
                return takesPublishers
                    ? await claimHere(stream)
                    : .unavailable(reason: error.reason, retryAfterSeconds: Self.retryAfterSeconds)
            }
            if chosen.nodeID == nodeID { return await claimHere(stream) }
            return redirect(to: chosen.nodeID, stream: stream, action: .publish, id: Self.grantID())
        } catch {
            // An origin keeps taking publishers while Redis is away; the stream registers on return.
            if takesPublishers { return .here }
            return .unavailable(
                reason: "placement failed reading Redis: \(error)", retryAfterSeconds: Self.retryAfterSeconds)
        }
    }

    /// Serves the viewer on this node once the stream's tracks are here.
    private func serveHere(_ stream: String, record: StreamRecord? = nil) async -> PlacementVerdict {
        switch await ensureCarrying(stream, record: record) {
        case .success: return .here
        case .failure(.unknownStream): return .refused(status: 404, reason: "stream '\(stream)' is not published")
        case .failure(let failure):
            return .unavailable(reason: failure.description, retryAfterSeconds: Self.retryAfterSeconds)
        }
    }

    /// The client's region and address. The address is the TCP peer's, or the first
    /// `X-Forwarded-For` entry when the peer is a trusted proxy; the region is the `region`
    /// parameter's when it names one, else the address's, else this node's.
    func locateClient(_ request: PlacementRequest, resolver: RegionResolver, topology: Topology)
        -> (region: String, address: String?)
    {
        let located = resolver.resolve(
            ClientRequest(peerAddress: request.peerAddress, forwardedFor: request.forwardedFor))
        let asked = request.regionParameter.flatMap { resolver.resolve(ClientRequest(regionParameter: $0)).region }
        let region =
            asked ?? located.region ?? topology.node(id: nodeID)?.region ?? topology.regions.first?.name ?? ""
        return (region, located.clientAddress?.description ?? request.peerAddress)
    }

    static let notAnOrigin = PlacementVerdict.refused(
        status: 403, reason: "this node does not take publishers; publish to an origin")

    static let servesNoViewers = PlacementVerdict.refused(
        status: 403, reason: "this node serves no viewers; watch on an edge")

    static let redisAway = PlacementVerdict.unavailable(
        reason: "placement needs Redis, which is unreachable", retryAfterSeconds: retryAfterSeconds)
}

extension PlacementVerdict {
    /// The `verdict` label of `meshcast_placement_decisions_total`.
    var metricLabel: String {
        switch self {
        case .here: "here"
        case .redirect: "redirect"
        case .unavailable: "unavailable"
        case .refused: "refused"
        }
    }
}
