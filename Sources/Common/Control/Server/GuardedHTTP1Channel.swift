import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 connection with the guards a listener facing the internet needs:
/// a cap on connections per client address (``ConnectionsPerClient``), a deadline for each
/// request head (``RequestHeadTimeout``) and an idle timeout between keep-alive requests
/// (Hummingbird's own). All of it is channel handlers and event-loop timers: nothing polls.
struct GuardedHTTP1Channel: ServerChildChannel {
    /// An accepted connection: served over HTTP/1.1, or refused for its address's cap.
    enum Value: ServerChildChannelValue {
        case served(HTTP1Channel.Value)
        case refused(any Channel)

        var channel: any Channel {
            switch self {
            case .served(let served): served.channel
            case .refused(let channel): channel
            }
        }
    }

    private let http: HTTP1Channel
    private let connections: ConnectionsPerClient
    private let logger: Logger

    init(
        responder: @escaping HTTPChannelHandler.Responder, configuration: ControlConfiguration,
        connections: ConnectionsPerClient, logger: Logger
    ) {
        let headTimeout = TimeAmount(configuration.requestHeadTimeout)
        http = HTTP1Channel(
            responder: responder,
            configuration: .init(
                additionalChannelHandlers: [RequestHeadTimeout(timeout: headTimeout)],
                idleTimeout: TimeAmount(configuration.idleTimeout)))
        self.connections = connections
        self.logger = logger
    }

    /// The server builder for ``ControlServer/makeApplication(onServerRunning:)``: one counter
    /// of connections per client for the whole listener.
    static func builder(configuration: ControlConfiguration, logger: Logger) -> HTTPServerBuilder {
        let connections = ConnectionsPerClient(
            limit: configuration.maxConnectionsPerClient, uncapped: configuration.uncappedClients)
        return HTTPServerBuilder { responder in
            GuardedHTTP1Channel(
                responder: responder, configuration: configuration, connections: connections, logger: logger)
        }
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let client = channel.remoteAddress?.ipAddress ?? "unknown"
        switch connections.opened(client) {
        case .refused(let firstSinceUnderCap):
            if firstSinceUnderCap {
                self.logger.notice(
                    "refusing connections from \(client): it holds \(connections.limit), the most one address may")
            }
            return channel.eventLoop.makeCompletedFuture {
                let reason = "too many connections from \(client) (at most \(connections.limit))"
                try channel.pipeline.syncOperations.addHandler(ConnectionRefusal(reason: reason))
                return .refused(channel)
            }
        case .accepted:
            channel.closeFuture.whenComplete { [connections] _ in connections.closed(client) }
        }
        return channel.eventLoop.makeCompletedFuture {
            // Before the HTTP decoder, which `http.setup` adds behind it.
            try channel.pipeline.syncOperations.addHandler(RequestBytesSignal(), position: .first)
        }.flatMap {
            http.setup(channel: channel, logger: logger).map { .served($0) }
        }
    }

    func handle(value: Value, logger: Logger) async {
        guard case .served(let served) = value else { return }
        await http.handle(value: served, logger: logger)
    }
}
