import Logging
import MeshCatalog
import MeshCluster
import MeshControl
import MeshCrypto
import MeshRTC
import MeshRuntime
import UnixSignals

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What every node role runs: the media workers and engine, the HTTP server, and, when the
/// node belongs to a mesh (a Redis URL is configured), the Redis client, the mesh coordinator,
/// the heartbeat announcer and the topology follower, as one service group (``NodeServices``).
/// The role modules (`OriginNode`, `RelayNode`, `EdgeNode`) run it with their ``RolePolicy``,
/// which `settings` carries, and their ``RoleIntake``, which the coordinator's placement calls.
public struct MeshNodeRunner {
    let settings: NodeSettings
    let intake: RoleIntake
    let topology: Topology
    let topologyPath: String?
    let logger: Logger
    let addOn: (@Sendable (RoleNodeParts) throws -> RoleAddOn)?

    /// A runner for `settings` and the role's `intake`, taken from `topology` (read from
    /// `topologyPath`, which SIGHUP re-reads; `nil` disables that). `addOn` builds what the role
    /// adds to the node (``RoleAddOn``) once its engine and mesh parts exist.
    public init(
        settings: NodeSettings, intake: RoleIntake, topology: Topology, topologyPath: String?, logger: Logger,
        addOn: (@Sendable (RoleNodeParts) throws -> RoleAddOn)? = nil
    ) {
        self.settings = settings
        self.intake = intake
        self.topology = topology
        self.topologyPath = topologyPath
        self.logger = logger
        self.addOn = addOn
    }

    /// Starts everything and runs until SIGINT or SIGTERM; then drains (``NodeDrainService``),
    /// stops announcing, ends the sessions, closes the relay links and stops the workers, in that
    /// order.
    public func run() async throws {
        // Trapped first: a stop signal while the node starts is kept for the drain service.
        let stopSignals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let group = try WorkerGroup(configuration: settings.workers)
        let engine: MediaEngine
        do {
            engine = try MediaEngine(configuration: settings.engine, group: group, logger: logger)
            try await engine.start()
        } catch {
            group.stop()
            throw error
        }
        // The workers' timers and inboxes call into the engine: it must outlive them.
        defer {
            logger.info("shutting down: stopping the workers")
            withExtendedLifetime(engine) { group.stop() }
        }

        var turn: TURNRelays?
        if let worker = group.workers.first {
            turn = try await NodeTURN.start(
                settings: settings, workers: group.workers.count, on: worker, engine: engine, logger: logger)
        }

        let mesh = try settings.redis.map { endpoint in
            try MeshParts(
                endpoint: endpoint, settings: settings, intake: intake, topology: topology, topologyPath: topologyPath,
                engine: engine,
                workers: group.workers.count, logger: logger)
        }
        let current: @Sendable () -> Topology = { [topology, follower = mesh?.follower] in
            follower?.current ?? topology
        }
        let webhookOutbox = mesh.map { WebhookOutbox(redis: $0.redis) }
        let webhooks = WebhookEvents(outbox: webhookOutbox, node: settings.node.id) { current().webhooks ?? [] }
        let role = try addOn?(
            RoleNodeParts(
                settings: settings, engine: engine, coordinator: mesh?.coordinator, redis: mesh?.redis,
                topology: current, logger: logger, webhooks: webhooks))
        let drain = NodeDrainState()
        let drainer = NodeDrainService(
            drain: drain, announcer: mesh?.announcer, signals: stopSignals, logger: logger,
            deadlineSeconds: { [topology, follower = mesh?.follower] in
                (follower?.current ?? topology).policies.drainDeadline
            },
            isIdle: { [engine] in await Self.holdsNothing(engine) })
        var control = ControlConfiguration(
            tokenSecret: settings.tokenSecret, host: settings.node.api.host, port: Int(settings.node.api.port),
            iceServers: settings.iceServers.map { ICEServerLink(url: $0) })
        control.clusterSecret = settings.clusterSecret
        control.testFaults = settings.testFaults
        if let turn {
            // A session's 201 mints its credential and tells the relays the session lives here;
            // its first UDP Link names the media port of the session's worker, which serves TURN
            // with a UDP listener, so the client's allocation lives on the session's worker
            // (issue 13, item 6).
            let udpPortOfSession: @Sendable (String) -> UInt16? = { [engine, turn] id in
                guard let worker = engine.worker(ofSession: id), turn.hasRelay(onWorker: worker) else {
                    return nil
                }
                return engine.mediaPort(ofWorker: worker)
            }
            if let links = NodeTURN.sessionLinks(settings: settings, udpPortOfSession: udpPortOfSession) {
                control.sessionICEServers = { [turn] id in
                    turn.sessionStarted(id)
                    return links(id)
                }
            }
            control.turn = TURNRelayStatus(relays: turn)
            // A session's end ends the allocations of the credential minted for it, on every relay.
            engine.observeSessionEnds { [turn] id in turn.endSession(id) }
        }
        control.uncappedClients = topology.trustedProxies.compactMap(IPNetwork.init)
        control.trustedProxies = control.uncappedClients
        control.roleRoutes = role?.routes
        if control.roleRoutes == nil, mesh != nil, settings.node.role != .recorder {
            // Recordings live on recorders; any other mesh node redirects their API there.
            let redirect = RecordingsRedirect(topology: current)
            control.roleRoutes = { router, gate in redirect.register(on: router, gate: gate) }
        }
        control.roleMetrics = role?.metrics
        control.rateLimiter = RateLimiter(limits: topology.policies.effectiveRateLimits, redis: mesh?.redis)
        control.tokenKeys = settings.tokenKeys
        control.revocations = TokenRevocations(redis: mesh?.redis)
        control.auditLog = AuditLog(redis: mesh?.redis)
        control.meshOperations = mesh.map { MeshOperations.redis($0.redis, topology: current) }
        control.webhooks = webhooks
        drain.observe { [events = control.webhooks] in events.report(.nodeDraining) }
        // A draining node sends new TURN allocations where placement would send its clients.
        let turnRedirect = TURNDrainFollower()
        if let turn, let mesh, let loop = group.workers.first {
            drain.observe { [node = settings.node, coordinator = mesh.coordinator, logger] in
                turnRedirect.start(node: node, coordinator: coordinator, relay: turn.node, loop: loop, logger: logger)
            }
        }
        defer { turnRedirect.cancel() }
        for target in topology.webhooks ?? [] where ProcessInfo.processInfo.environment[target.secretVariable] == nil {
            logger.warning(
                "\(target.secretVariable) is not set: this node cannot sign webhooks to \(target.url) and leaves them to others"
            )
        }
        // A publish that ends without its publisher's DELETE is audited (and reported) from the
        // engine's report.
        engine.observeSessionEnds {
            [ledger = control.publishers, log = control.auditLog, events = control.webhooks, node = settings.node.id] id
            in
            guard let record = ledger.ended(id, node: node) else { return }
            log.record(record)
            events.report(.streamEnded, stream: record.target.split(separator: "/").dropFirst().first.map(String.init))
        }
        let server = ControlServer(
            configuration: control, control: engine, mesh: mesh?.coordinator, drain: drain, logger: logger)
        let services = NodeServices.inStartOrder(
            redis: mesh.map { RedisClientService(redis: $0.redis) },
            coordinator: mesh.map {
                MeshCoordinatorService(coordinator: $0.coordinator, dataPlane: engine, logger: logger)
            },
            engine: MediaEngineService(engine: engine, logger: logger),
            follower: mesh.map { TopologyFollowerService(follower: $0.follower) },
            controlPlane: ControlPlaneService(
                revocations: control.revocations, audit: control.auditLog,
                copier: mesh.flatMap { mesh in
                    settings.catalogURL.map {
                        AuditCatalogCopier(redis: mesh.redis, postgres: RecordingCatalog.client(url: $0))
                    }
                },
                webhooks: control.webhooks,
                deliverer: webhookOutbox.map { outbox in
                    WebhookDeliverer(outbox: outbox, consumer: settings.node.id) {
                        ProcessInfo.processInfo.environment[$0]
                    }
                },
                deaths: mesh.map {
                    NodeDeathWatch(
                        nodeID: settings.node.id, redis: $0.redis, webhooks: control.webhooks, logger: logger)
                }),
            announcer: mesh.map { NodeAnnouncerService(announcer: $0.announcer, logger: logger) },
            http: server.makeApplication(), drain: drainer, role: role?.service)
        let roleName = settings.node.role.rawValue
        let redisNote = settings.redis.map { " in the mesh at \($0)" } ?? " as a single SFU (no Redis configured)"
        logger.info(
            "\(settings.node.id) (\(roleName)) serving http://\(settings.node.api) with \(group.workers.count) worker(s)\(redisNote)"
        )
        do {
            try await NodeServices.group(services, signals: [], logger: logger).run()
        } catch {
            await turn?.stop()
            throw error
        }
        await turn?.stop()
    }

    /// Whether a draining node can stop early: no session left, and no link on which it still
    /// forwards a stream (downstream nodes move those off a stopping node by themselves).
    static func holdsNothing(_ engine: MediaEngine) async -> Bool {
        guard await engine.health().sessions == 0 else { return false }
        return await engine.meshStatus().links.allSatisfy { $0.end == .downstream || $0.streams.isEmpty }
    }
}

/// The pieces a node runs only as part of a mesh.
struct MeshParts {
    let redis: RedisClient
    let coordinator: MeshCoordinator
    let announcer: NodeAnnouncer
    let follower: TopologyFollower

    init(
        endpoint: RedisTarget, settings: NodeSettings, intake: RoleIntake, topology: Topology, topologyPath: String?,
        engine: MediaEngine, workers: Int, logger: Logger
    ) throws {
        let redis = RedisClient(target: endpoint)
        let policy = settings.policy
        let coordinator = MeshCoordinator(
            topology: topology, nodeID: settings.node.id, policy: policy, intake: intake, dataPlane: engine,
            redis: redis,
            api: InternalAPIClient(secret: settings.clusterSecret ?? [], timeout: .seconds(2)),
            grants: try PlacementGrantSigner(clusterSecret: settings.clusterSecret ?? []), logger: logger)
        let announcer = NodeAnnouncer(
            node: settings.node, workers: workers, control: engine, registry: NodeRegistry(client: redis),
            logger: logger)
        let nodeID = settings.node.id
        follower = TopologyFollower(current: topology, path: topologyPath, redis: redis, logger: logger) {
            [coordinator, announcer, engine] topology in
            coordinator.updateTopology(topology)
            engine.setDeclaredStreamTTL(seconds: Double(topology.policies.declaredStreamTTL))
            if let node = topology.node(id: nodeID) {
                if node.role != policy.role {
                    let (new, running) = (node.role.rawValue, policy.role.rawValue)
                    logger.warning(
                        "the new topology makes \(nodeID) \(new), not \(running): it stays \(running) until restarted")
                }
                announcer.update(node: node)
                engine.updateLimits(SessionLimits(node: node, topology: topology, policy: policy))
            } else {
                logger.warning("the new topology has no node '\(nodeID)': this node keeps running until stopped")
            }
        }
        self.redis = redis
        self.coordinator = coordinator
        self.announcer = announcer
    }
}
