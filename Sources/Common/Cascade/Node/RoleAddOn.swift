import Hummingbird
import Logging
import MeshCluster
import MeshControl
import MeshRTC
import ServiceLifecycle

/// What a role adds to the node ``MeshNodeRunner`` runs, beside what every role has: routes on
/// the node's HTTP server and one service in its group (started after the engine and the
/// coordinator, stopped before them). The recorder's recordings and `/v1/recordings` are one.
public struct RoleAddOn: Sendable {
    /// Registers the role's routes on the node's router; the gate is the node's operator check.
    public var routes: (@Sendable (Router<ControlRequestContext>, OperatorGate) -> Void)?
    /// The role's service.
    public var service: (any Service)?
    /// Prometheus lines the role adds to `/metrics`.
    public var metrics: (@Sendable () async -> String)?

    /// An add-on of `routes`, `service` and `metrics`.
    public init(
        routes: (@Sendable (Router<ControlRequestContext>, OperatorGate) -> Void)? = nil, service: (any Service)? = nil,
        metrics: (@Sendable () async -> String)? = nil
    ) {
        self.routes = routes
        self.service = service
        self.metrics = metrics
    }
}

/// The parts of a running node a ``RoleAddOn`` is built from.
public struct RoleNodeParts: Sendable {
    /// The node's settings.
    public let settings: NodeSettings
    /// The media engine.
    public let engine: MediaEngine
    /// The mesh coordinator; nil on a node without Redis.
    public let coordinator: MeshCoordinator?
    /// The node's Redis client; nil on a node without Redis.
    public let redis: RedisClient?
    /// The topology in force now (it follows SIGHUP and `topology apply`).
    public let topology: @Sendable () -> Topology
    /// The node's logger.
    public let logger: Logger
    /// Where the role reports webhook events (the recorder's recording events).
    public var webhooks = WebhookEvents.none
}
