import Hummingbird
import NIOCore

/// The request context of every MeshControl route: Hummingbird's core context plus the client's
/// address, which the logs and the engine (`client:` of publish/view) name.
public struct ControlRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The peer of the HTTP connection; `nil` in router tests, which have no socket.
    public let remoteAddress: SocketAddress?

    /// Creates the context for a request arriving on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client as logs show it: `ip:port`, or `unknown` without a socket.
    public var client: String {
        guard let remoteAddress, let ip = remoteAddress.ipAddress else { return "unknown" }
        return remoteAddress.port.map { "\(ip):\($0)" } ?? ip
    }
}
