import Logging
import MeshRTC
import ServiceLifecycle

/// The media engine as a service. The engine is started before the group runs, so that no
/// request reaches it before its workers listen; on its turn in a graceful shutdown it ends
/// every session. The workers under it stop after the whole group (``MeshNodeRunner``), since
/// their timers and inboxes call into the engine.
struct MediaEngineService: Service {
    let engine: MediaEngine
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        logger.info("shutting down: ending sessions")
        await engine.shutdown()
    }
}
