import Hummingbird
import Logging
import MeshControl
import NIOCore
import ServiceLifecycle

/// The real ``ControlServer`` (its listener, connection guards and routes) over a recording
/// engine, on an ephemeral port of 127.0.0.1, for tests that talk to it through raw sockets.
enum LiveControlServer {
    struct NotListening: Error {}

    /// Runs `body` with the server's port, then shuts the server down.
    static func run(
        _ configuration: ControlConfiguration, engine: RecordingNodeControl = RecordingNodeControl(),
        _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        let application = ControlServer(configuration: configuration, control: engine).makeApplication { channel in
            listening.yield(channel.localAddress?.port ?? 0)
            listening.finish()
        }
        let services = ServiceGroup(services: [application], logger: Logger(label: "test.live-control-server"))
        let server = Task { try await services.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            server.cancel()
            throw NotListening()
        }
        do {
            try await body(port)
        } catch {
            await services.triggerGracefulShutdown()
            _ = await server.result
            throw error
        }
        await services.triggerGracefulShutdown()
        try await server.value
    }
}
