import Logging
import ServiceLifecycle
import UnixSignals

/// The services a node runs, declared once in start order. A graceful shutdown (the drain
/// service ending after SIGINT or SIGTERM, or any service ending, even by an error) stops them
/// one at a time in reverse:
///
/// 0. the drain service (``NodeDrainService``: on a stop signal, readiness fails and placement
///    passes the node by while its sessions run on until they end or the drain deadline),
/// 1. the HTTP server (no new requests; those under way finish),
/// 2. the announcer (stops heartbeating and withdraws from the registry: placement stops
///    choosing the node),
/// 3. the role's own service, if any (the recorder's recordings: their segments close),
/// 4. the control plane (``ControlPlaneService``: writes the audit records still queued, stops
///    refreshing token revocations),
/// 5. the topology follower,
/// 6. the media engine (ends every session),
/// 7. the coordinator (stops placing and keeping links, then closes the relay links),
/// 8. the Redis client.
///
/// The media workers are not a service: like Hummingbird's event loops, they are the ground
/// the group runs on, and stop after it (``MeshNodeRunner``).
enum NodeServices {
    /// The services in start order; a node without a mesh has only the engine and the server.
    static func inStartOrder(
        redis: (any Service)?, coordinator: (any Service)?, engine: any Service, follower: (any Service)?,
        controlPlane: (any Service)? = nil, announcer: (any Service)?, http: any Service, drain: (any Service)? = nil,
        role: (any Service)? = nil
    ) -> [any Service] {
        [redis, coordinator, engine, follower, controlPlane, role, announcer, http, drain].compactMap { $0 }
    }

    /// A group of `services` (in start order) that shuts down gracefully on `signals` (none
    /// when a drain service traps them itself). Whatever ends first, the rest still stop in
    /// order; the first error is thrown once all have.
    static func group(_ services: [any Service], signals: [UnixSignal] = [.sigterm, .sigint], logger: Logger)
        -> ServiceGroup
    {
        let configurations = services.map { service in
            ServiceGroupConfiguration.ServiceConfiguration(
                service: service, successTerminationBehavior: .gracefullyShutdownGroup,
                failureTerminationBehavior: .gracefullyShutdownGroup)
        }
        return ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: configurations, gracefulShutdownSignals: signals, logger: logger))
    }
}
