import MeshCrypto
import MeshRuntime
import MeshTURN
import MeshWire

/// One TURN client on TCP or TLS (RFC 8656 §3.1): its socket, its TLS session when the
/// listener is TLS, and the reassembler that cuts the (decrypted) stream into frames for the
/// relay. Closing it ends its allocation, since the 5-tuple is the connection.
///
/// Loop only, like the socket it owns.
final class TURNStreamConnection {
    /// The client's address, which with the transport is the allocation's 5-tuple.
    let client: STUNTransportAddress
    /// `.tcp` or `.tls`.
    let transport: TURNClientTransport
    /// When the connection last held an allocation (or was accepted), for the idle limit.
    var lastAllocated: TURNInstant
    private let socket: TCPConnection
    private let tls: TLSServerSession?
    private var reassembler = TURNStreamReassembler()
    private unowned let relay: TURNRelay
    private(set) var isClosed = false

    /// A connection from `client` on `socket`, decrypted by `tls` when given.
    init(socket: TCPConnection, tls: TLSServerSession?, client: STUNTransportAddress, relay: TURNRelay) {
        self.socket = socket
        self.tls = tls
        self.client = client
        self.transport = tls == nil ? .tcp : .tls
        self.relay = relay
        self.lastAllocated = relay.clock()
    }

    var fiveTuple: TURNFiveTuple { TURNFiveTuple(client: client, transport: transport) }

    /// Starts reading; the peer closing or a read error closes the connection.
    func start() throws {
        // Relayed media is many small writes: Nagle's algorithm would hold each behind the last.
        socket.setNoDelay(true)
        try socket.startReading(
            onRead: { [unowned self] bytes in received(bytes) },
            onEnd: { [unowned self] _ in close() })
    }

    /// Data from peers waits in the socket's queue up to this many bytes (about 170 ms of a
    /// 12 Mbit/s stream); beyond it the client is not reading and relayed data is dropped.
    static let backlogLimit = 256 * 1024

    /// Whether relayed data for the client should be dropped: it is not reading fast enough.
    var isBacklogged: Bool { socket.queuedWriteBytes > Self.backlogLimit }

    /// Sends one frame (a STUN response or padded ChannelData/Data indication) to the client;
    /// a failed write closes the connection.
    func send(_ frame: UnsafeRawBufferPointer) {
        guard !isClosed else { return }
        do {
            if let tls {
                try tls.write(frame)
                try flushTLS()
            } else {
                try socket.write(frame)
            }
        } catch {
            relay.logger.debug("TURN \(fiveTuple): write failed (\(error)), closing")
            close()
        }
    }

    /// Closes the socket (after a TLS close_notify) and ends the allocation. Idempotent.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        if let tls {
            tls.close()
            try? flushTLS()
        }
        socket.close()
        relay.unregister(self)
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        // Closing drops the relay's reference, which may be the last one.
        withExtendedLifetime(self) {
            guard let tls else {
                deframe(bytes)
                return
            }
            do {
                try tls.receive(bytes) { plaintext in deframe(plaintext) }
                // A frame that closed the connection (not TURN, a failed write) ends it here.
                guard !isClosed else { return }
                try flushTLS()
            } catch {
                relay.logger.debug("TURN \(fiveTuple): TLS failed (\(error)), closing")
                try? flushTLS()  // the alert, if OpenSSL made one
                close()
                return
            }
            if tls.state == .closed { close() }
        }
    }

    private func deframe(_ bytes: UnsafeRawBufferPointer) {
        guard !isClosed else { return }
        do {
            try reassembler.feed(bytes) { frame in
                // A reply that failed to send closed the connection: the frames after it are void.
                guard !isClosed else { return }
                relay.fromStreamClient(frame, on: self)
            }
        } catch {
            relay.logger.debug("TURN \(fiveTuple): \(error): not a TURN stream, closing")
            close()
        }
    }

    private func flushTLS() throws {
        guard let tls else { return }
        var failure: (any Error)?
        tls.flush { records in
            do { try socket.write(records) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}
