import MeshCrypto
import MeshRuntime
import MeshTURN
import MeshWire

/// A TURN listener on TCP, or on TLS over TCP (RFC 8656 §3.1), on the relay's worker: accepts
/// connections and hands each to the relay as a ``TURNStreamConnection``. The relayed side of
/// every allocation stays UDP.
///
/// The TLS certificate can be replaced while running (``replaceCertificate(_:)``, on SIGHUP):
/// new connections present the new one, and open connections and their allocations go on
/// with the one they started with.
public final class TURNStreamListener: @unchecked Sendable {
    /// At most this many TCP and TLS clients at once, across listeners; more are refused at
    /// accept, before any TLS or TURN work.
    static let maximumConnections = 4096

    /// `.tcp` or `.tls`.
    public let transport: TURNClientTransport
    /// The bound address (the port picked when 0 was asked).
    public let localAddress: SocketAddress
    private var socket: TCPListener?
    private var certificate: TLSServerContext?
    private unowned let relay: TURNRelay

    /// Listens on `address` on `worker` (the relay's loop; call there) for `relay`; TLS when
    /// `certificate` is given, plain TCP otherwise.
    public init(
        worker: MediaWorker, relay: TURNRelay, bindingTo address: SocketAddress, certificate: TLSServerContext?
    ) throws {
        self.transport = certificate == nil ? .tcp : .tls
        self.certificate = certificate
        self.relay = relay
        var accepted: ((TCPConnection) -> Void)?
        let socket = try TCPListener(worker: worker, bindingTo: address) { connection in accepted?(connection) }
        self.socket = socket
        self.localAddress = socket.localAddress
        accepted = { [unowned self] connection in accept(connection) }
    }

    /// New TLS connections present `certificate` from now on. Loop only.
    public func replaceCertificate(_ certificate: TLSServerContext) {
        guard transport == .tls else { return }
        self.certificate = certificate
    }

    /// Stops accepting; open connections are the relay's to close. Loop only.
    func close() {
        socket?.close()
        socket = nil
    }

    private func accept(_ socket: TCPConnection) {
        guard relay.streamClientCount < Self.maximumConnections, let peer = socket.peerAddress,
            let client = STUNTransportAddress(peer)
        else {
            socket.close()
            return
        }
        var session: TLSServerSession?
        if let certificate {
            do {
                session = try TLSServerSession(context: certificate)
            } catch {
                relay.logger.warning("TURN over TLS: no session for \(peer): \(error)")
                socket.close()
                return
            }
        }
        let connection = TURNStreamConnection(socket: socket, tls: session, client: client, relay: relay)
        guard relay.register(connection) else {
            socket.close()
            return
        }
        do {
            try connection.start()
        } catch {
            connection.close()
        }
    }
}
