import MeshRTC
import MeshRuntime
import MeshTURN
import MeshWire

/// A viewer's path to the node through a TURN server: a ``TURNClientSession`` over the
/// viewer's own UDP socket, or over a TCP connection of its own (RFC 8656 §3.1, frames cut by
/// MeshTURN's ``TURNStreamReassembler``, ChannelData padded to 4 bytes, §12.5). Media, STUN
/// checks and DTLS go as ChannelData on one channel to the node's media address; what comes
/// back on it is handed to ``deliver`` as if it came from the node.
///
/// Nothing is allocated per packet: outgoing packets are framed in one buffer kept for the
/// tunnel, incoming ChannelData is handed over in place. Worker thread only.
final class TURNTunnel {
    /// Called with the payload of each ChannelData from the peer (valid only during the call).
    typealias Deliver = (UnsafeRawBufferPointer, SocketAddress) -> Void

    let link: TURNServerLink
    /// The TURN server's address.
    let server: SocketAddress
    /// The node's media address the channel is bound to.
    let peer: SocketAddress
    private(set) var session: TURNClientSession
    /// ChannelData frames and bytes sent and received, and datagrams that were neither.
    private(set) var framesSent = 0
    private(set) var framesReceived = 0
    private(set) var dropped = 0
    /// Why the tunnel stopped, if it did (the session's failure, or the TCP connection's).
    var failure: String? {
        if case .failed(let reason) = session.state { return reason }
        return connectionFailure
    }
    var isReady: Bool { session.state == .ready && failure == nil }

    private let socket: UDPSocket
    private let worker: MediaWorker
    private var connection: TCPConnection?
    private var connected = false
    private var connectionFailure: String?
    private var reassembler = TURNStreamReassembler()
    private let controlBuffer: UnsafeMutableRawBufferPointer
    private let frameBuffer: UnsafeMutableRawBufferPointer
    private let deliver: Deliver
    private let onReady: () -> Void

    /// A tunnel through `link` to `peer`; UDP goes out of `socket`. Nothing is sent before
    /// ``start(now:)``.
    init(
        link: TURNServerLink, peer: SocketAddress, socket: UDPSocket, worker: MediaWorker,
        deliver: @escaping Deliver, onReady: @escaping () -> Void
    ) throws {
        guard let peerAddress = STUNTransportAddress(peer) else {
            throw TURNServerLink.Failure(description: "the node's media address \(peer) is not an IP address")
        }
        self.link = link
        self.peer = peer
        self.socket = socket
        self.worker = worker
        self.deliver = deliver
        self.onReady = onReady
        if link.host.contains(":") {
            server = try SocketAddress(ipv6: link.host, port: link.port)
        } else {
            server = try SocketAddress(ipv4: link.host, port: link.port)
        }
        session = TURNClientSession(
            username: link.username, password: link.credential, peer: peerAddress, reliable: link.transport == .tcp)
        controlBuffer = .allocate(byteCount: 1500, alignment: 16)
        frameBuffer = .allocate(byteCount: TURNChannelData.headerSize + 65_536, alignment: 16)
    }

    deinit {
        controlBuffer.deallocate()
        frameBuffer.deallocate()
    }

    /// Sends the first Allocate (over TCP once the connection is up).
    func start(now: UInt64) throws {
        guard link.transport == .tcp else {
            transmit(length: session.start(now: now, into: controlBuffer))
            return
        }
        connection = try TCPConnection.connect(on: worker, to: server) { [unowned self] error in
            if let error {
                connectionFailure = "TCP to the TURN server: \(error)"
                return
            }
            connected = true
            connection?.setNoDelay(true)
            do {
                try connection?.startReading(
                    onRead: { [unowned self] bytes in receiveStream(bytes) },
                    onEnd: { [unowned self] error in
                        connectionFailure = "TURN server closed TCP: \(error.map { "\($0)" } ?? "EOF")"
                    })
            } catch {
                connectionFailure = "TCP read: \(error)"
                return
            }
            transmit(length: session.start(now: BenchClock.now(), into: controlBuffer))
        }
    }

    /// Retransmissions and refreshes due.
    func poll(now: UInt64) {
        guard connection == nil || connected else { return }
        transmit(length: session.poll(now: now, into: controlBuffer))
    }

    /// Sends `bytes` to the peer as ChannelData; dropped until the channel is bound.
    func send(_ bytes: UnsafeRawBufferPointer) {
        guard isReady else { return }
        var writer = ByteWriter(frameBuffer)
        guard
            (try? TURNChannelData.write(
                channelNumber: TURNClientSession.channel, payload: bytes, padToFourBytes: connection != nil,
                into: &writer)) != nil
        else { return }
        framesSent &+= 1
        write(UnsafeRawBufferPointer(rebasing: frameBuffer[..<writer.offset]))
    }

    /// A datagram on the viewer's UDP socket: from the TURN server, a ChannelData frame or a
    /// STUN answer; anything else is dropped (the viewer has no other peer).
    func receiveDatagram(_ datagram: UnsafeRawBufferPointer, from: SocketAddress) {
        guard from == server else {
            dropped &+= 1
            return
        }
        receiveFrame(datagram)
    }

    /// Deletes the allocation (Refresh with LIFETIME 0, RFC 8656 §7.3, not waiting for the
    /// answer) and closes the TCP connection.
    func close() {
        if isReady { transmit(length: session.delete(into: controlBuffer)) }
        connection?.close()
        connection = nil
    }

    // MARK: Receive

    private func receiveStream(_ bytes: UnsafeRawBufferPointer) {
        do {
            try reassembler.feed(bytes) { frame in receiveFrame(frame) }
        } catch {
            connectionFailure = "TURN stream: \(error)"
            connection?.close()
        }
    }

    private func receiveFrame(_ frame: UnsafeRawBufferPointer) {
        guard let first = frame.first else { return }
        if first & 0xC0 == 0x40 {
            guard let data = try? TURNChannelData(parsing: frame), data.channelNumber == TURNClientSession.channel
            else {
                dropped &+= 1
                return
            }
            framesReceived &+= 1
            deliver(data.payload, peer)
            return
        }
        guard let message = try? STUNMessage(parsing: frame) else {
            dropped &+= 1
            return
        }
        let wasReady = session.state == .ready
        transmit(length: session.handle(message, now: BenchClock.now(), into: controlBuffer))
        if !wasReady, session.state == .ready { onReady() }
    }

    // MARK: Send

    private func transmit(length: Int) {
        guard length > 0 else { return }
        write(UnsafeRawBufferPointer(rebasing: controlBuffer[..<length]))
    }

    private func write(_ bytes: UnsafeRawBufferPointer) {
        if let connection {
            try? connection.write(bytes)
        } else {
            _ = try? socket.send(bytes, to: server)
        }
    }
}
