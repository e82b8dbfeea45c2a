import Glibc
import Logging
import MeshRuntime
import MeshTURN
import MeshWire

/// The TURN server over UDP on one media loop: the listener socket, one relayed socket per
/// allocation (bound on a port from `relay_ports`, so relayed traffic goes through the kernel),
/// a one-second timer that expires allocations, permissions and channels, and the log lines
/// when an allocation opens and closes.
///
/// Everything runs on `loop`: create, ``start()`` and ``stop()`` it there. The datagram paths
/// allocate nothing: the server answers into one preallocated buffer, and addresses are
/// converted without text.
public final class TURNUDPRelay: @unchecked Sendable {
    private let loop: any MediaLoop
    private var server: TURNServer
    private let listenAddress: SocketAddress
    private let relayBindHost: STUNIPAddress?
    private let logger: Logger
    private let clock: @Sendable () -> TURNInstant
    private var listener: (any DatagramSocket)?
    private var relays: [STUNTransportAddress: any DatagramSocket] = [:]
    private var timer: (any LoopTimer)?
    /// Room for the largest UDP payload plus a Data indication's header and attributes.
    private let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536 + 64, alignment: 8)

    /// A relay for `server` listening on `listen`; relayed sockets bind to `relayBindHost` (the
    /// node's media host, when it differs from the announced relayed address) or, when `nil`,
    /// to the relayed address itself.
    public init(
        loop: any MediaLoop, server: TURNServer, listen: SocketAddress, relayBindHost: STUNIPAddress?,
        logger: Logger, clock: @escaping @Sendable () -> TURNInstant = TURNUDPRelay.wallClock
    ) {
        self.loop = loop
        self.server = server
        self.listenAddress = listen
        self.relayBindHost = relayBindHost
        self.logger = logger
        self.clock = clock
    }

    deinit { output.deallocate() }

    /// The bound listener address (the port picked when 0 was asked). Loop only.
    public var localAddress: SocketAddress? { listener?.localAddress }

    /// Live allocations. Loop only.
    public var allocationCount: Int { server.allocationCount }

    /// The wall clock, for TURN REST expiries and nonces.
    public static let wallClock: @Sendable () -> TURNInstant = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return TURNInstant(milliseconds: Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000)
    }

    /// Binds the listener and starts the timer. Loop only.
    public func start() throws {
        let socket = try loop.openDatagramSocket(bindingTo: listenAddress)
        listener = socket
        try? socket.setReceiveBufferSize(4 << 20)
        try? socket.setSendBufferSize(4 << 20)
        try socket.startReceiving({ [unowned self] bytes, from in fromClient(bytes, from: from) }, batchEnded: nil)
        let timer = try loop.makeTimer()
        self.timer = timer
        try timer.start(afterMilliseconds: 1000, repeatingEvery: 1000) { [unowned self] in
            server.expire(now: clock())
            handleEvents()
        }
        logger.info("TURN over UDP on \(socket.localAddress), peers: \(server.policy.summary)")
    }

    /// Ends every allocation (logging each) and closes every socket. Loop only.
    public func stop() {
        let now = clock()
        for relayed in Array(relays.keys) {
            if let fiveTuple = server.fiveTuple(relayedAt: relayed) { server.remove(fiveTuple, now: now) }
        }
        handleEvents()
        timer?.close()
        timer = nil
        listener?.close()
        listener = nil
    }

    /// Ends the allocations made with the credential minted for session `id`. Loop only.
    public func endSession(_ id: String) {
        server.removeAllocations(credentialID: id, now: clock())
        handleEvents()
    }

    private func fromClient(_ bytes: UnsafeRawBufferPointer, from: SocketAddress) {
        guard let client = STUNTransportAddress(from) else { return }
        switch server.receive(bytes, from: client, transport: .udp, now: clock(), into: output) {
        case let .reply(count):
            _ = try? listener?.send(UnsafeRawBufferPointer(rebasing: output[..<count]), to: from)
            handleEvents()
        case let .relay(peer, relayed, payload):
            _ = try? relays[relayed]?.send(payload, to: SocketAddress(turn: peer))
        case .drop:
            break
        }
    }

    private func fromPeer(_ bytes: UnsafeRawBufferPointer, from: SocketAddress, relayed: STUNTransportAddress) {
        guard let peer = STUNTransportAddress(from),
            case let .deliver(fiveTuple, count) = server.receive(
                fromPeer: peer, at: relayed, payload: bytes, now: clock(), into: output)
        else { return }
        _ = try? listener?.send(
            UnsafeRawBufferPointer(rebasing: output[..<count]), to: SocketAddress(turn: fiveTuple.client))
    }

    /// Opens a relayed socket for each new allocation and closes those of ended ones.
    private func handleEvents() {
        for event in server.takeEvents() {
            switch event {
            case let .opened(_, fiveTuple, relayed, _):
                logger.info("\(event)")
                openRelay(relayed, for: fiveTuple)
            case let .closed(_, _, relayed, _, _, _, _, _):
                logger.info("\(event)")
                relays.removeValue(forKey: relayed)?.close()
            }
        }
    }

    private func openRelay(_ relayed: STUNTransportAddress, for fiveTuple: TURNFiveTuple) {
        let bind = SocketAddress(turn: STUNTransportAddress(ip: relayBindHost ?? relayed.ip, port: relayed.port))
        do {
            let socket = try loop.openDatagramSocket(bindingTo: bind)
            try socket.startReceiving(
                { [unowned self] bytes, from in fromPeer(bytes, from: from, relayed: relayed) }, batchEnded: nil)
            relays[relayed] = socket
        } catch {
            // The port is taken by another process: the allocation cannot relay, so it ends now
            // and the client's next Refresh gets 437.
            logger.warning(
                "TURN relayed port \(bind) cannot be bound (\(error)); ending the allocation of \(fiveTuple)")
            server.remove(fiveTuple, now: clock())
            handleEvents()
        }
    }
}
