import Hummingbird
import Logging
import MeshCrypto
import MeshRTC

/// A node's HTTP side: WHIP/WHEP session resources, stream tokens, health, readiness,
/// Prometheus metrics, the stream list and the browser pages, over a ``MediaNodeControl``.
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
    /// The logger request outcomes are written to.
    public let logger: Logger

    /// Creates a server over `control`.
    public init(
        configuration: ControlConfiguration, control: any MediaNodeControl,
        logger: Logger = Logger(label: "meshcast.control")
    ) {
        self.configuration = configuration
        self.control = control
        self.logger = logger
    }

    /// The router with every route and the CORS decoration.
    public func makeRouter() -> Router<ControlRequestContext> {
        let router = Router(context: ControlRequestContext.self)
        router.add(middleware: CORSHeaders(allowedOrigin: configuration.allowedOrigin))
        let authorization = BearerAuthorization(verifier: StreamTokenVerifier(secret: configuration.tokenSecret))
        SessionRoutes(control: control, configuration: configuration, authorization: authorization)
            .register(on: router)
        NodeRoutes(control: control, authorization: authorization).register(on: router)
        PageRoutes.register(on: router)
        return router
    }

    /// The Hummingbird application bound to `host:port`. It is a swift-service-lifecycle
    /// `Service`: run it alone with `runService()` or in a `ServiceGroup` beside the media
    /// workers so that SIGTERM drains both.
    public func makeApplication() -> Application<RouterResponder<ControlRequestContext>> {
        Application(
            router: makeRouter(),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "meshcast"),
            logger: logger
        )
    }
}
