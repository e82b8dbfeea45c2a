import Logging
import MeshCluster
import MeshControl
import MeshRTC
import Synchronization

/// Where WHIP publishers and WHEP viewers go: here (once this node carries the stream, or
/// holds its publisher claim), a `307` with a grant to the node placement picks, or `503`/
/// `403`/`404`/`409`. Every decision is timed for `/metrics`.
final class ClientPlacement: Sendable {
    /// The `Retry-After` of every `503` placement answers.
    static let retryAfterSeconds = MeshCoordinator.retryAfterSeconds

    /// This node's id.
    let nodeID: String
    /// What this node's role does with the publishers and viewers that reach it.
    let intake: RoleIntake
    let topology: TopologyInForce
    let redis: RedisClient
    let dataPlane: any MeshDataPlane
    let directory: StreamDirectory
    let stateReader: PlacementStateReader
    let reservations: CapacityReservation
    let grants: PlacementGrants
    let limits: StreamLimits
    let carrier: StreamCarrier
    let logger: Logger
    private let timings = Mutex(DecisionTimings())

    init(
        nodeID: String, intake: RoleIntake, topology: TopologyInForce, redis: RedisClient, dataPlane: any MeshDataPlane,
        directory: StreamDirectory, stateReader: PlacementStateReader, reservations: CapacityReservation,
        grants: PlacementGrants, limits: StreamLimits, carrier: StreamCarrier, logger: Logger
    ) {
        self.nodeID = nodeID
        self.intake = intake
        self.topology = topology
        self.redis = redis
        self.dataPlane = dataPlane
        self.directory = directory
        self.stateReader = stateReader
        self.reservations = reservations
        self.grants = grants
        self.limits = limits
        self.carrier = carrier
        self.logger = logger
    }

    /// Decision counts and recent durations, for `/metrics`.
    var decisionTimings: DecisionTimings { timings.withLock { $0 } }

    /// Where a WHEP viewer of `stream` should go.
    func placeViewer(stream: String, request: PlacementRequest) async -> PlacementVerdict {
        await timed { await self.decideViewer(stream: stream, request: request) }
    }

    /// Where a WHIP publisher of `stream` should go.
    func placePublisher(stream: String, request: PlacementRequest) async -> PlacementVerdict {
        await timed { await self.decidePublisher(stream: stream, request: request) }
    }

    /// Runs one decision and records its monotonic duration and verdict.
    private func timed(_ decide: () async -> PlacementVerdict) async -> PlacementVerdict {
        let clock = ContinuousClock()
        let started = clock.now
        let verdict = await decide()
        let elapsed = started.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        timings.withLock { $0.record(seconds: seconds, verdict: verdict.metricLabel) }
        return verdict
    }

    private func decideViewer(stream: String, request: PlacementRequest) async -> PlacementVerdict {
        if let grant = request.grant {
            return await grants.redeem(grant, action: .view, stream: stream) {
                await intake.viewers.takeViewer(of: stream, carrier: ViewerCarriage(placement: self))
            }
        }
        guard redis.isAvailable else { return Self.redisAway }
        let inForce = self.topology.snapshot
        let (topology, index, resolver) = (inForce.topology, inForce.index, inForce.resolver)
        do throws(RedisError) {
            let carried = await dataPlane.carriedStream(stream)
            guard let record = try await directory.lookup(stream) ?? carried else {
                return .refused(status: 404, reason: "stream '\(stream)' is not published")
            }
            if let full = try await limits.viewerLimitRefusal(stream) { return full }
            if topology.nodes(withRole: .edge).isEmpty {
                // No edges: the origin serves its viewers itself.
                if record.originNode == nodeID { return await takeViewerHere(stream, record: record) }
                return grants.redirect(
                    to: record.originNode, stream: stream, action: .view, id: PlacementGrants.grantID())
            }
            var live = try await stateReader.liveState(stream: stream, origin: record.originNode)
            if let reason = stateReader.registrySettling(live, role: .edge, topology: topology) {
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
                if chosen.nodeID == nodeID { return await takeViewerHere(stream, record: record) }
                let id = PlacementGrants.grantID()
                guard
                    let holders = try await grants.redirectHolders(
                        address: client.address, token: request.token, id: id)
                else {
                    // The client holds enough unfollowed redirects: placed, but nothing reserved.
                    return grants.redirect(to: chosen.nodeID, stream: stream, action: .view, id: id)
                }
                switch try await reservations.reserve(node: chosen.nodeID, token: id, now: WallClock.milliseconds()) {
                case .reserved:
                    return grants.redirect(
                        to: chosen.nodeID, stream: stream, action: .view, id: id, reserved: true, holders: holders)
                case .refused(let why):
                    try await grants.releaseHolders(id: id, holders: holders)
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
        let inForce = self.topology.snapshot
        let (topology, index, resolver) = (inForce.topology, inForce.index, inForce.resolver)
        let publishers = intake.publishers
        if let grant = request.grant {
            return await grants.redeem(grant, action: .publish, stream: stream) {
                await publishers.takePublisher(of: stream, claims: self.limits) ?? Self.notAnOrigin
            }
        }
        guard redis.isAvailable else { return publishers.takePublisherWithoutRedis(of: stream) ?? Self.redisAway }
        do throws(RedisError) {
            var live = try await stateReader.liveState(stream: nil, origin: nil)
            if let reason = stateReader.registrySettling(live, role: .origin, topology: topology) {
                return await publishers.takePublisher(of: stream, claims: limits)
                    ?? .unavailable(reason: reason, retryAfterSeconds: 1)
            }
            if let record = try await directory.lookup(stream) {
                live.streams[stream] = StreamPlacement(origin: record.originNode)
            }
            let region = locateClient(request, resolver: resolver, topology: topology).region
            let chosen: NodeSelection
            do throws(PlacementFailure) {
                chosen = try OriginSelector(index: index).select(stream: stream, clientRegion: region, state: live)
            } catch {
                return await publishers.takePublisher(of: stream, claims: limits)
                    ?? .unavailable(reason: error.reason, retryAfterSeconds: Self.retryAfterSeconds)
            }
            if chosen.nodeID == nodeID {
                return await publishers.takePublisher(of: stream, claims: limits) ?? Self.notAnOrigin
            }
            return grants.redirect(to: chosen.nodeID, stream: stream, action: .publish, id: PlacementGrants.grantID())
        } catch {
            // A node that takes publishers may take them while Redis is away (the origin does).
            if let taken = publishers.takePublisherWithoutRedis(of: stream) { return taken }
            return .unavailable(
                reason: "placement failed reading Redis: \(error)", retryAfterSeconds: Self.retryAfterSeconds)
        }
    }

    /// What this node's role does with a viewer placement put here, carrying `record` if it serves.
    private func takeViewerHere(_ stream: String, record: StreamRecord) async -> PlacementVerdict {
        await intake.viewers.takeViewer(of: stream, carrier: ViewerCarriage(placement: self, record: record))
    }

    /// Serves the viewer on this node once the stream's tracks are here.
    fileprivate func serveHere(_ stream: String, record: StreamRecord? = nil) async -> PlacementVerdict {
        switch await carrier.ensureCarrying(stream, record: record) {
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

    static let redisAway = PlacementVerdict.unavailable(
        reason: "placement needs Redis, which is unreachable", retryAfterSeconds: retryAfterSeconds)
}

/// The carrier a ``ViewerIntake`` gets: this placement's, with the stream's record when placement
/// read it already (so carrying need not read it again).
private struct ViewerCarriage: ViewerCarrier {
    let placement: ClientPlacement
    var record: StreamRecord? = nil

    func carryHere(_ stream: String) async -> PlacementVerdict {
        await placement.serveHere(stream, record: record)
    }
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
