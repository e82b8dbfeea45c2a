import Logging
import MeshRTC
import ServiceLifecycle

/// The mesh coordinator as a service: placements, link upkeep and the once-a-second duties
/// until its turn in a graceful shutdown, then it closes this node's relay links (the sessions
/// have ended by then, so no viewer loses its feed to it).
struct MeshCoordinatorService: Service {
    let coordinator: MeshCoordinator
    let dataPlane: any MeshDataPlane
    let logger: Logger

    func run() async throws {
        await runUntilShutdownTurn { [coordinator] in await coordinator.run() }
        let links = await dataPlane.meshStatus().links
        if !links.isEmpty { logger.info("shutting down: closing \(links.count) relay link(s)") }
        for link in links { _ = await dataPlane.closeLink(link.id, reason: "node shutting down") }
    }
}
