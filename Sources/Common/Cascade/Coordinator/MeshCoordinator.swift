import Logging
import MeshCluster
import MeshControl
import MeshCrypto
import MeshRTC
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The mesh brain of one node: answers placement (where a WHIP/WHEP client goes), joins this
/// node to a stream's relay tree when it needs the stream, serves the internal link API, and
/// once a second keeps Redis and the node's links in step with what the data plane carries.
///
/// It holds no media: links and tracks live in the data plane (``MeshDataPlane``); the
/// coordinator decides which links exist and which streams they carry.
public final class MeshCoordinator: MeshCoordination, Sendable {
    /// This node's id.
    let nodeID: String
    /// What this node's role does: whether it takes publishers, serves viewers, roots trees.
    let policy: RolePolicy
    let dataPlane: any MeshDataPlane
    let redis: RedisClient
    let api: any InternalAPI
    let logger: Logger
    let registry: NodeRegistry
    let directory: StreamDirectory
    let reservations: CapacityReservation
    let redirectQuota: RedirectQuota
    let claims: PublisherClaims
    /// Signs the grants this node's redirects carry and checks the ones clients bring.
    let grants: PlacementGrantSigner
    /// How long a grant, the slot reserved with it and its count against the client last.
    let grantLifetime: Duration
    let state: Mutex<CoordinatorState>
    /// One subscription attempt per stream at a time.
    let carrying = SharedAttempts<String>()
    /// One link set-up per upstream node at a time.
    let linking = SharedAttempts<String>()

    /// How long an upstream that failed is left out of new paths.
    static let failedUpstreamPause = Duration.seconds(10)
    /// How many upstreams one subscription attempt tries.
    static let maximumTries = 3
    /// How long a link this node receives on may carry nothing before it is closed.
    static let idleLinkTimeout = Duration.seconds(30)
    /// How long a link this node sends on may carry nothing before it is closed here. Longer
    /// than ``idleLinkTimeout`` so the downstream end, which closes first and tells this node,
    /// is never caught reusing a link this end just dropped.
    static let idleUpstreamEndTimeout = Duration.seconds(60)
    /// The `Retry-After` of every `503` placement answers.
    static let retryAfterSeconds = 2

    /// A coordinator for node `nodeID` of `topology`, whose role module states `policy`.
    public init(
        topology: Topology, nodeID: String, policy: RolePolicy, dataPlane: any MeshDataPlane, redis: RedisClient,
        api: any InternalAPI, grants: PlacementGrantSigner, grantLifetime: Duration = defaultGrantLifetime,
        logger: Logger
    ) {
        self.nodeID = nodeID
        self.policy = policy
        self.dataPlane = dataPlane
        self.redis = redis
        self.api = api
        self.logger = logger
        registry = NodeRegistry(client: redis)
        directory = StreamDirectory(client: redis)
        reservations = CapacityReservation(client: redis, ttl: grantLifetime)
        redirectQuota = RedirectQuota(client: redis, ttl: grantLifetime)
        claims = PublisherClaims(client: redis)
        self.grants = grants
        self.grantLifetime = grantLifetime
        state = Mutex(CoordinatorState(topology: topology))
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
        state.withLock { $0.apply(topology) }
        logger.info("mesh coordinator: topology '\(topology.mesh)' in force (\(topology.nodes.count) nodes)")
    }

    // MARK: Shared small steps

    /// The topology in force now.
    var topology: Topology { state.withLock { $0.topology } }

    /// `http://host:port` of a node's API, from the topology.
    func apiBase(of node: String) -> String? {
        topology.node(id: node).map { "http://\($0.api)" }
    }

    /// Leaves `node` out of new paths for ``failedUpstreamPause``.
    func markFailed(_ node: String, now: ContinuousClock.Instant = .now) {
        state.withLock { $0.failedUntil[node] = now.advanced(by: Self.failedUpstreamPause) }
    }

    /// Wall-clock milliseconds since 1970, for Redis scores (reservation and carrier expiry).
    static func wallMilliseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(max(spec.tv_sec, 0)) &* 1000 &+ UInt64(max(spec.tv_nsec, 0) / 1_000_000)
    }
}
