import Logging
import ServiceLifecycle

/// The heartbeat as a service: announces the node until its turn in a graceful shutdown, then
/// takes it out of the registry at once, so placement stops choosing it before anything else
/// stops.
struct NodeAnnouncerService: Service {
    let announcer: NodeAnnouncer
    let logger: Logger

    func run() async throws {
        await runUntilShutdownTurn { [announcer] in await announcer.run() }
        logger.info("shutting down: leaving the mesh")
        await announcer.withdraw()
    }
}
