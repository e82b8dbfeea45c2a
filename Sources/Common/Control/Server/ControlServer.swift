import Hummingbird
import Logging
import MeshCrypto
import MeshRTC
import NIOCore

/// A node's HTTP side: WHIP/WHEP session resources, stream tokens, health, readiness,
/// Prometheus metrics, the stream list and the browser pages, over a ``MediaNodeControl``;
/// with a ``MeshCoordination``, also WHIP/WHEP placement and the internal API.
///
/// ```swift
/// let server = ControlServer(configuration: .init(tokenSecret: secret), control: engine)
/// let app = server.makeApplication()
/// try await ServiceGroup(services: [app, ...], ...).run()   // or app.test(.router) in tests
/// ```
public struct ControlServer: Sendable {
    /// The settings the routes and the listener use.
    public let configuration: ControlConfiguration
    /// The media engine the session routes drive.
    public let control: any MediaNodeControl
    /// The mesh coordinator placement and the internal API ask; `nil` on a single node.
    public let mesh: (any MeshCoordination)?
    /// The logger request outcomes are written to.
    public let logger: Logger
    /// Whether the node is draining; readiness fails while it is.
    public let drain: NodeDrainState

    /// Creates a server over `control`, in a mesh when `mesh` is given; `drain` is the switch
    /// the node's drain service sets when it is asked to stop.
    public init(
        configuration: ControlConfiguration, control: any MediaNodeControl, mesh: (any MeshCoordination)? = nil,
        drain: NodeDrainState = NodeDrainState(), logger: Logger = Logger(label: "meshcast.control")
    ) {
        self.configuration = configuration
        self.control = control
        self.mesh = mesh
        self.drain = drain
        self.logger = logger
    }

    /// The router with every route and the CORS decoration.
    public func makeRouter() -> Router<ControlRequestContext> {
        let router = Router(context: ControlRequestContext.self)
        router.add(middleware: CORSHeaders(allowedOrigin: configuration.allowedOrigin))
        // After CORS, so that a 429's Retry-After is exposed to pages.
        if let limiter = configuration.rateLimiter {
            router.add(middleware: RateLimitMiddleware(limiter: limiter, trustedProxies: configuration.trustedProxies))
        }
        let authorization = BearerAuthorization(
            verifier: StreamTokenVerifier(keys: configuration.tokenKeyRing), revocations: configuration.revocations)
        let audit = AuditTrail(log: configuration.auditLog, node: control.nodeID)
        let rejections = InternalRejectionCounter()
        SessionRoutes(
            control: control, mesh: mesh, configuration: configuration, authorization: authorization, audit: audit
        )
        .register(on: router)
        NodeRoutes(
            control: control, mesh: mesh, rejections: rejections, authorization: authorization, drain: drain,
            limiter: configuration.rateLimiter, turn: configuration.turn, audit: audit,
            roleMetrics: configuration.roleMetrics
        )
        .register(on: router)
        OperatorRoutes(
            control: control, authorization: authorization, revocations: configuration.revocations, audit: audit
        )
        .register(on: router)
        MeshOperatorRoutes(operations: configuration.meshOperations, authorization: authorization, audit: audit)
            .register(on: router)
        TURNRoutes(turn: configuration.turn, authorization: authorization).register(on: router)
        InternalRoutes(
            mesh: mesh, clusterSecret: configuration.clusterSecret, rejections: rejections,
            testFaults: configuration.testFaults
        )
        .register(on: router)
        configuration.roleRoutes?(router, OperatorGate(authorization: authorization))
        PageRoutes.register(on: router)
        return router
    }

    /// The Hummingbird application bound to `host:port`, its connections guarded by the
    /// configuration's head timeout, idle timeout and per-client cap (``GuardedHTTP1Channel``).
    /// It is a swift-service-lifecycle `Service`: run it alone with `runService()` or in a
    /// `ServiceGroup` beside the media workers so that SIGTERM drains both. `onServerRunning`
    /// gets the listening channel (tests read the port of `port: 0` from it).
    public func makeApplication(
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> Application<RouterResponder<ControlRequestContext>> {
        Application(
            router: makeRouter(),
            server: GuardedHTTP1Channel.builder(configuration: configuration, logger: logger),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "meshcast"),
            onServerRunning: onServerRunning,
            logger: logger
        )
    }
}
