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
    let socket: TCPConnection
    let tls: TLSServerSession?
    var reassembler = TURNStreamReassembler()
    unowned let relay: TURNRelay
    var isClosed = false
    /// Whether the connection may still move to its session's worker (``TURNStreamMoves``):
    /// not once a move failed, nor on the worker it moved to.
    var movable = true
    /// Set from the authenticated Allocate that starts a move until the socket leaves: the
    /// relay that takes the connection, and the frames cut meanwhile, that Allocate first.
    var moving: (target: TURNRelay, frames: [[UInt8]])?

    /// A connection from `client` on `socket`, decrypted by `tls` when given.
    init(socket: TCPConnection, tls: TLSServerSession?, client: STUNTransportAddress, relay: TURNRelay) {
        self.socket = socket
        self.tls = tls
        self.client = client
        self.transport = tls == nil ? .tcp : .tls
        self.relay = relay
        self.lastAllocated = relay.clock()
    }

    /// The connection `handover` brought from another worker, on the adopted `socket`; it stays
    /// on `relay`'s worker.
    convenience init(handover: TURNStreamHandover, socket: TCPConnection, relay: TURNRelay) {
        self.init(socket: socket, tls: handover.tls, client: handover.client, relay: relay)
        reassembler = handover.reassembler
        lastAllocated = handover.lastAllocated
        movable = false
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
            // A frame of this read may have started a move: the socket leaves once it is read.
            defer { if moving != nil { leave() } }
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
                // Frames after the one that started a move are served where the connection goes.
                if moving != nil {
                    moving?.frames.append(Array(frame))
                    return
                }
                relay.fromStreamClient(frame, on: self)
            }
        } catch {
            relay.logger.debug("TURN \(fiveTuple): \(error): not a TURN stream, closing")
            close()
        }
    }

    func flushTLS() throws {
        guard let tls else { return }
        var failure: (any Error)?
        tls.flush { records in
            do { try socket.write(records) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}
