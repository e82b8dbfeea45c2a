import Logging
import MeshCluster
import MeshControl
import MeshCrypto
import MeshRTC

/// The mesh brain of one node: answers placement (where a WHIP/WHEP client goes), joins this
/// node to a stream's relay tree when it needs the stream, serves the internal link API, and
/// once a second keeps Redis and the node's links in step with what the data plane carries.
///
/// It holds no media: links and tracks live in the data plane (``MeshDataPlane``); the
/// coordinator decides which links exist and which streams they carry. It is the owner that
/// wires its parts together: it holds the topology in force, runs the event loop and the
/// duties, and answers ``MeshCoordination`` by handing each call to the part whose job it is.
/// Each part guards its own memory with its own lock.
public final class MeshCoordinator: MeshCoordination, Sendable {
    /// How long a grant (and the slot reserved with it) lasts by default: a client follows a
    /// `307` at once.
    public static let defaultGrantLifetime = Duration.seconds(5)
    /// The `Retry-After` of the `503`s placement answers, and of those a role's intake answers.
    public static let retryAfterSeconds = 2

    /// This node's id.
    let nodeID: String
    let dataPlane: any MeshDataPlane
    let logger: Logger
    /// What this node's role states. Placement goes by ``intake``; the policy is kept for the
    /// parts that consult the role's other answers.
    let policy: RolePolicy
    /// What this node's role does with the publishers and viewers that reach it.
    let intake: RoleIntake
    /// The topology in force, shared by every part.
    let topology: TopologyInForce
    /// Reads the mesh's live state out of Redis for placement and upstream choice.
    let stateReader: PlacementStateReader
    /// Where publishers and viewers go.
    let placement: ClientPlacement
    /// The grants placement's redirects carry.
    let grants: PlacementGrants
    /// Publisher claims and viewer limits across the mesh.
    let limits: StreamLimits
    /// Upstream choice, and the upstreams that failed lately.
    let upstreams: UpstreamSelector
    /// This node's place in the streams' relay trees.
    let carrier: StreamCarrier
    /// Evicts link peers that stopped heartbeating.
    let liveness: PeerLiveness
    /// The stream directory's entries for this node.
    let directorySync: DirectorySync
    /// Downstream nodes' link requests.
    let linkRequests: LinkRequests
    /// `GET /v1/mesh`, read from Redis at most once a second.
    let overviewReader: MeshOverviewReader
    /// This node's report (topology, placement figures, link ends), written to Redis for `GET /v1/mesh`.
    let nodeReporter: NodeReporter

    /// A coordinator for node `nodeID` of `topology`, whose role module states `policy` and
    /// takes clients as `intake` says.
    public init(
        topology: Topology, nodeID: String, policy: RolePolicy, intake: RoleIntake, dataPlane: any MeshDataPlane,
        redis: RedisClient,
        api: any InternalAPI, grants: PlacementGrantSigner, grantLifetime: Duration = defaultGrantLifetime,
        logger: Logger
    ) {
        self.nodeID = nodeID
        self.dataPlane = dataPlane
        self.logger = logger
        self.policy = policy
        self.intake = intake
        let inForce = TopologyInForce(topology)
        let registry = NodeRegistry(client: redis)
        let directory = StreamDirectory(client: redis)
        let reservations = CapacityReservation(client: redis, ttl: grantLifetime)
        let stateReader = PlacementStateReader(nodeID: nodeID, redis: redis, registry: registry, directory: directory)
        let upstreams = UpstreamSelector(
            nodeID: nodeID, topology: inForce, stateReader: stateReader, dataPlane: dataPlane, redis: redis,
            logger: logger)
        let carrier = StreamCarrier(
            nodeID: nodeID, dataPlane: dataPlane, redis: redis, api: api, registry: registry, directory: directory,
            topology: inForce, upstreams: upstreams, logger: logger)
        let placementGrants = PlacementGrants(
            nodeID: nodeID, signer: grants, lifetime: grantLifetime, topology: inForce, reservations: reservations,
            redirectQuota: RedirectQuota(client: redis, ttl: grantLifetime))
        let limits = StreamLimits(
            nodeID: nodeID, topology: inForce, dataPlane: dataPlane, redis: redis, directory: directory,
            claims: PublisherClaims(client: redis), logger: logger)
        self.topology = inForce
        self.stateReader = stateReader
        self.upstreams = upstreams
        self.carrier = carrier
        self.grants = placementGrants
        self.limits = limits
        placement = ClientPlacement(
            nodeID: nodeID, intake: intake, topology: inForce, redis: redis, dataPlane: dataPlane,
            directory: directory, stateReader: stateReader, reservations: reservations, grants: placementGrants,
            limits: limits, carrier: carrier, logger: logger)
        liveness = PeerLiveness(nodeID: nodeID, redis: redis, registry: registry, logger: logger)
        directorySync = DirectorySync(nodeID: nodeID, redis: redis, directory: directory, logger: logger)
        linkRequests = LinkRequests(nodeID: nodeID, dataPlane: dataPlane, carrier: carrier, logger: logger)
        overviewReader = MeshOverviewReader(
            nodeID: nodeID, topology: inForce, redis: redis, registry: registry, directory: directory)
        nodeReporter = NodeReporter(nodeID: nodeID, redis: redis, topology: inForce, placement: placement)
    }

    /// Consumes dataPlane.events() and runs the once-a-second duties until the task is cancelled.
    public func run() async {
        let events = dataPlane.events()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    await self.performDuties(now: .now)
                    do { try await Task.sleep(for: .seconds(1)) } catch { return }
                }
            }
            // Each event in its own task: a re-path waiting on a slow upstream must not hold
            // up the next event.
            for await event in events {
                group.addTask { await self.handle(event) }
            }
            group.cancelAll()
        }
    }

    /// A new topology (SIGHUP or `topology apply`): placement and paths use it from now on.
    public func updateTopology(_ topology: Topology) {
        self.topology.apply(topology)
        logger.info("mesh coordinator: topology '\(topology.mesh)' in force (\(topology.nodes.count) nodes)")
    }
}
