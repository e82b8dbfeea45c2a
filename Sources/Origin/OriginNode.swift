import Logging
import MeshControl
import MeshRTC
import MeshRuntime

/// The origin role: publishers come in over WHIP and viewers watch over WHEP on the same node.
///
/// A thin composition: the workers and the media engine (MeshRTC) on one side, the HTTP
/// server (MeshControl) on the other, meeting only through `MediaNodeControl`.
public struct OriginNode {
    let settings: NodeSettings
    let logger: Logger

    /// A node for `settings`, logging to `logger`.
    public init(settings: NodeSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// Starts the workers, the engine and the HTTP server, and runs until SIGINT or SIGTERM;
    /// then stops taking requests, ends every session and stops the workers.
    public func run() async throws {
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
        defer { withExtendedLifetime(engine) { group.stop() } }
        let control = ControlConfiguration(
            tokenSecret: settings.tokenSecret, host: settings.node.api.host, port: Int(settings.node.api.port),
            iceServers: settings.iceServers.map { ICEServerLink(url: $0) })
        let server = ControlServer(configuration: control, control: engine, logger: logger)
        logger.info(
            "\(settings.node.id) (origin) serving http://\(settings.node.api) with \(group.workers.count) worker(s)")
        try await server.makeApplication().runService()
        logger.info("shutting down: ending sessions")
        await engine.shutdown()
    }
}
