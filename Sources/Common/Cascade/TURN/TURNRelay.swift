import Glibc
import Logging
import MeshRTC
import MeshRuntime
import MeshTURN
import MeshWire

/// The TURN server on one media loop: the UDP listener, the stream clients (TCP and TLS
/// connections, accepted by ``TURNStreamListener``), one relayed UDP socket per allocation
/// (bound on a port from `relay_ports`: the kernel path, for peers other than the node's own
/// media, which go in-process through ``TURNMediaBridge``), a one-second timer that expires
/// allocations, permissions, channels and idle connections, and the log lines when an
/// allocation opens and closes.
///
/// Everything runs on `loop`: create, ``start()`` and ``stop()`` it there. The datagram and
/// frame paths allocate nothing: the server answers into one preallocated buffer, relayed data
/// for UDP clients is wrapped into a preallocated batch sent once per burst, and addresses are
/// converted without text.
public final class TURNRelay: @unchecked Sendable {
    let loop: any MediaLoop
    var server: TURNServer
    private let listenAddress: SocketAddress?
    private let relayBindHost: STUNIPAddress?
    let logger: Logger
    let clock: @Sendable () -> TURNInstant
    /// Where UDP clients are heard and answered: the relay's own listener, or a media worker's
    /// port (``serveMediaPort(of:worker:)``).
    var listener: (any DatagramSocket)?
    /// Set when ``listener`` is a media worker's port, which the relay borrows: gives it back.
    var releaseMediaPort: (() -> Void)?
    private var relays: [STUNTransportAddress: any DatagramSocket] = [:]
    /// TCP and TLS clients by their address (a stream 5-tuple's client side).
    private var streamClients: [STUNTransportAddress: TURNStreamConnection] = [:]
    private var streamListeners: [TURNStreamListener] = []
    private var timer: (any LoopTimer)?
    /// What the server did, for `/metrics`. Loop only.
    public internal(set) var counters = TURNCounters()
    /// The in-process path to the node's own media workers; `nil`: everything goes through the
    /// relayed sockets. Set once, before clients arrive.
    var bridge: TURNMediaBridge?
    /// Where stream clients go once they authenticate: their session's worker (the node relay
    /// only, set by ``connect(to:ownMedia:announced:portRelays:)``).
    var streamMoves: TURNStreamMoves?
    /// Set by ``stop()``: a stream client handed over afterwards is not adopted.
    private(set) var isStopped = false
    /// Watches SIGHUP for the TLS listener's certificate; cancelled on ``stop()``.
    var certificateReloader: TURNCertificateReloader?
    /// Room for the largest UDP payload plus a Data indication's header and attributes.
    private let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536 + 64, alignment: 8)
    /// Relayed datagrams for UDP clients, sent with one `sendmmsg` per burst (``flushClients()``).
    private let toUDPClients = DatagramBatch(slotSize: TURNRelay.clientSlotSize)
    /// The largest payload a slot of ``toUDPClients`` takes: a media datagram as large as a
    /// handoff slot. Larger ones (only from a relayed socket) are sent on their own.
    static let largestBatchedPayload = DatagramHandoff.slotSize
    /// The payload wrapped as a Data indication (20-byte header, XOR-PEER-ADDRESS of up to 24
    /// bytes, DATA header and padding) fits.
    static let clientSlotSize = largestBatchedPayload + 64

    /// A relay for `server` listening on UDP at `listen` (none when `nil`: TCP/TLS only);
    /// relayed sockets bind to `relayBindHost` (the node's media host, when it differs from the
    /// announced relayed address) or, when `nil`, to the relayed address itself.
    public init(
        loop: any MediaLoop, server: TURNServer, listen: SocketAddress?, relayBindHost: STUNIPAddress?,
        logger: Logger, clock: @escaping @Sendable () -> TURNInstant = TURNRelay.wallClock
    ) {
        self.loop = loop
        self.server = server
        self.listenAddress = listen
        self.relayBindHost = relayBindHost
        self.logger = logger
        self.clock = clock
    }

    deinit { output.deallocate() }

    /// The bound UDP listener address (the port picked when 0 was asked). Loop only.
    public var localAddress: SocketAddress? { listener?.localAddress }

    /// Live allocations. Loop only.
    public var allocationCount: Int { server.allocationCount }

    /// Every live allocation, oldest first. Loop only.
    public func allocationSummaries() -> [TURNAllocationSummary] { server.allocationSummaries() }

    /// The `/metrics` lines: the counters and the live allocations per transport. Loop only.
    public func prometheusText() -> String {
        counters.prometheusText(live: allocationCountsByTransport)
    }

    /// Live allocations per client transport. Loop only.
    public var allocationCountsByTransport: [TURNClientTransport: Int] { server.allocationCountsByTransport() }

    /// Open TCP and TLS client connections. Loop only.
    public var streamClientCount: Int { streamClients.count }

    /// The wall clock, for TURN REST expiries and nonces.
    public static let wallClock: @Sendable () -> TURNInstant = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return TURNInstant(milliseconds: Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000)
    }

    /// Binds the UDP listener (if any) and starts the timer. Loop only.
    public func start() throws {
        if let listenAddress {
            let socket = try loop.openDatagramSocket(bindingTo: listenAddress)
            listener = socket
            try? socket.setReceiveBufferSize(4 << 20)
            try? socket.setSendBufferSize(4 << 20)
            try socket.startReceiving(
                { [unowned self] bytes, from in fromClient(bytes, from: from) },
                batchEnded: { [unowned self] in bridge?.flush() })
            logger.info("TURN over UDP on \(socket.localAddress), peers: \(server.policy.summary)")
        }
        let timer = try loop.makeTimer()
        self.timer = timer
        try timer.start(afterMilliseconds: 1000, repeatingEvery: 1000) { [unowned self] in
            let now = clock()
            server.expire(now: now)
            handleEvents()
            closeIdleStreamClients(now: now)
        }
    }

    /// Opens the in-process path to `engine`'s workers (``TURNMediaBridge``): payloads to the
    /// node's media addresses `ownMedia` (each with the worker that owns it) go to that worker
    /// without a socket, and come back from it; the workers see them from the allocation's
    /// relayed address and send back as from `announced`. The relay's loop must be one of the
    /// engine's. Call once, off the loops, before clients arrive.
    /// `portRelays` (indexed by worker, ``serveMediaPort(of:worker:)``) take first what their
    /// worker's sessions send to their allocations' relayed addresses.
    public func connect(
        to engine: MediaEngine, ownMedia: [STUNTransportAddress: Int], announced: STUNIPAddress,
        portRelays: [TURNRelay?] = []
    ) async throws {
        guard let relayWorker = (0..<engine.workerCount).first(where: { engine.loop(ofWorker: $0) === loop }) else {
            return
        }
        let bridge = TURNMediaBridge(engine: engine, relayWorker: relayWorker, own: ownMedia, announced: announced)
        try await bridge.connect(to: self, portRelays: portRelays)
        let moves =
            portRelays.contains { $0 != nil }
            ? TURNStreamMoves(engine: engine, relayWorker: relayWorker, ports: portRelays) : nil
        try await loop.run {
            self.bridge = bridge
            self.streamMoves = moves
        }
    }

    /// Serves TCP or TLS clients accepted by `streamListener` from now on. Loop only.
    public func add(_ streamListener: TURNStreamListener) {
        streamListeners.append(streamListener)
        logger.info(
            "TURN over \(streamListener.transport.name) on \(streamListener.localAddress), peers: \(server.policy.summary)"
        )
    }

    /// Ends every allocation (logging each), closes every connection and socket. Loop only.
    public func stop() {
        isStopped = true
        flushClients()
        let now = clock()
        // Every allocation, not only those with a relayed socket: self-only ones have none.
        server.removeAll(now: now)
        handleEvents()
        certificateReloader?.cancel()
        certificateReloader = nil
        for listener in streamListeners { listener.close() }
        streamListeners.removeAll()
        for connection in Array(streamClients.values) { connection.close() }
        timer?.close()
        timer = nil
        if let releaseMediaPort {
            releaseMediaPort()
            self.releaseMediaPort = nil
        } else {
            listener?.close()
        }
        listener = nil
    }

    /// Sends new allocations to `alternates` (300 Try Alternate, by the client's address) from
    /// now on, on every relay of the node (the ledger is shared), or stops doing so with `nil`;
    /// live allocations are not touched. Loop only.
    public func redirectAllocations(to alternates: TURNAlternates?) {
        server.alternates = alternates
        logger.info("TURN: new allocations \(alternates.map { "go elsewhere (300): \($0)" } ?? "are served here")")
    }

    /// A media session `id` began here: its credential's Allocates are served here even while
    /// the node drains. Loop only.
    public func sessionStarted(_ id: String) {
        server.sessionStarted(credentialID: id, now: clock())
    }

    /// Ends the allocations made with the credential minted for session `id`. Loop only.
    public func endSession(_ id: String) {
        server.removeAllocations(credentialID: id, now: clock())
        handleEvents()
    }

    func fromClient(_ bytes: UnsafeRawBufferPointer, from: SocketAddress) {
        guard let client = STUNTransportAddress(from) else { return }
        let answer = server.receive(bytes, from: client, transport: .udp, now: clock(), into: output)
        switch answer {
        case let .reply(count):
            counters.count(answer, output: output)
            _ = try? listener?.send(UnsafeRawBufferPointer(rebasing: output[..<count]), to: from)
            handleEvents()
        case let .relay(peer, relayed, payload):
            relay(answer, payload, to: peer, from: relayed)
        case .drop:
            counters.count(answer, output: output)
        }
    }

    /// Sends a client's payload on: to the node's own media in-process (``TURNMediaBridge``),
    /// anywhere else out of the allocation's relayed socket.
    private func relay(
        _ answer: TURNServerOutput, _ payload: UnsafeRawBufferPointer, to peer: STUNTransportAddress,
        from relayed: STUNTransportAddress
    ) {
        switch bridge?.deliver(payload, to: peer, from: relayed) {
        case true?:
            counters.count(answer, output: output, path: .inProcess)
        case false?:
            counters.countDrop(.handoffFull)
        case nil:
            counters.count(answer, output: output)
            _ = try? relays[relayed]?.send(payload, to: SocketAddress(turn: peer))
        }
    }

    private func fromPeer(_ bytes: UnsafeRawBufferPointer, from: SocketAddress, relayed: STUNTransportAddress) {
        guard let peer = STUNTransportAddress(from) else { return }
        if toClient(bytes, from: peer, at: relayed, path: .kernel) == nil {
            counters.count(TURNPeerOutput.drop(.noAllocation), payloadCount: bytes.count)
        }
    }

    /// What worker `worker`'s sessions sent to the relayed address `relayed`, handed over
    /// in-process (``TURNMediaBridge``): wrapped for the client as if it came from the worker's
    /// media address. False when it goes nowhere (the allocation ended). A UDP client's datagram
    /// waits in the batch until the burst ends (``flushClients()``). Loop only.
    func fromMedia(_ bytes: UnsafeRawBufferPointer, worker: Int, to relayed: SocketAddress) -> Bool {
        guard let delivered = fromMediaIfOwned(bytes, worker: worker, to: relayed) else {
            counters.count(TURNPeerOutput.drop(.noAllocation), payloadCount: bytes.count, path: .inProcess)
            return false
        }
        return delivered
    }

    /// ``fromMedia(_:worker:to:)`` when one of this relay's allocations has the relayed address
    /// `relayed`; `nil` (nothing counted) when none has, so that the caller can try another
    /// relay: a worker's port relay first, then the node's. Loop only.
    func fromMediaIfOwned(_ bytes: UnsafeRawBufferPointer, worker: Int, to relayed: SocketAddress) -> Bool? {
        guard let bridge, let relayedAddress = STUNTransportAddress(relayed) else { return nil }
        return toClient(bytes, from: bridge.mediaAddresses[worker], at: relayedAddress, path: .inProcess)
    }

    /// Wraps a peer's payload for the allocation's client and sends it: to a UDP client through
    /// the batch (the server writes straight into its next slot), to a stream client at once.
    /// False when it was dropped, `nil` (not counted) when no allocation has the relayed address.
    @discardableResult
    private func toClient(
        _ payload: UnsafeRawBufferPointer, from peer: STUNTransportAddress, at relayed: STUNTransportAddress,
        path: TURNRelayPath
    ) -> Bool? {
        if toUDPClients.isFull { flushClients() }
        // A payload too large for a slot (only from the kernel path) is wrapped in `output`.
        let batched = payload.count <= Self.largestBatchedPayload
        let into = batched ? toUDPClients.nextSlot : output
        let answer = server.receive(fromPeer: peer, at: relayed, payload: payload, now: clock(), into: into)
        guard case let .deliver(fiveTuple, count) = answer else {
            if answer == .drop(.noAllocation) { return nil }
            counters.count(answer, payloadCount: payload.count, path: path)
            return false
        }
        if fiveTuple.transport.isStream {
            guard let connection = streamClients[fiveTuple.client] else { return false }
            // Replies are always sent; relayed data is dropped for a client that stopped reading.
            guard !connection.isBacklogged else {
                counters.countDrop(.clientBacklog)
                return false
            }
            connection.send(UnsafeRawBufferPointer(rebasing: into[..<count]))
        } else if batched {
            toUDPClients.commit(length: count, to: SocketAddress(turn: fiveTuple.client))
        } else {
            flushClients()
            let framed = UnsafeRawBufferPointer(rebasing: into[..<count])
            _ = try? listener?.send(framed, to: SocketAddress(turn: fiveTuple.client))
        }
        counters.count(answer, payloadCount: payload.count, path: path)
        return true
    }

    /// Sends the relayed datagrams batched for UDP clients: at the end of every burst (a relay
    /// worker's send batch, a handoff drain, a relayed socket's receive batch) and when the batch
    /// fills. Loop only.
    func flushClients() {
        let refused = toUDPClients.flush(on: listener).dropped
        if refused > 0 { counters.countDrop(.clientSocketFull, count: refused) }
    }

    /// Opens a relayed socket for each new allocation and closes those of ended ones.
    private func handleEvents() {
        for event in server.takeEvents() {
            switch event {
            case let .opened(_, fiveTuple, relayed, _):
                logger.info("\(event)")
                counters.countOpened(fiveTuple.transport)
                openRelay(relayed, for: fiveTuple)
            case let .closed(_, _, relayed, _, _, _, _, _):
                logger.info("\(event)")
                relays.removeValue(forKey: relayed)?.close()
                bridge?.forget(relayed)
            }
        }
    }

    private func openRelay(_ relayed: STUNTransportAddress, for fiveTuple: TURNFiveTuple) {
        // Self-only, every peer the allocation may reach is this node's own media, reached
        // in-process: the relayed address stays virtual and no socket is bound for it.
        if case .selfOnly = server.policy, bridge != nil { return }
        let bind = SocketAddress(turn: STUNTransportAddress(ip: relayBindHost ?? relayed.ip, port: relayed.port))
        do {
            let socket = try loop.openDatagramSocket(bindingTo: bind)
            try socket.startReceiving(
                { [unowned self] bytes, from in fromPeer(bytes, from: from, relayed: relayed) },
                batchEnded: { [unowned self] in flushClients() })
            relays[relayed] = socket
        } catch {
            // The port is taken by another process: the allocation could not reach its peers, so
            // it ends now and the client's next request gets 437.
            logger.warning(
                "TURN relayed port \(bind) cannot be bound (\(error)); ending the allocation of \(fiveTuple)")
            server.remove(fiveTuple, now: clock())
            handleEvents()
        }
    }
}

// The stream side: connections register when accepted and leave when closed.
extension TURNRelay {
    /// How long a TCP or TLS connection may stay open without an allocation: long enough for a
    /// handshake and the 401 round trip, short enough that idle sockets do not pile up.
    static let streamIdleLimitMilliseconds: Int64 = 30_000

    /// Takes a newly accepted client; `false` when another connection already has its address
    /// (the caller closes the new one).
    func register(_ connection: TURNStreamConnection) -> Bool {
        guard streamClients[connection.client] == nil else { return false }
        streamClients[connection.client] = connection
        return true
    }

    /// A closed connection's allocation ends with it: its 5-tuple is gone (RFC 8656 §3.1).
    func unregister(_ connection: TURNStreamConnection) {
        guard streamClients[connection.client] === connection else { return }
        streamClients[connection.client] = nil
        server.remove(connection.fiveTuple, now: clock())
        handleEvents()
    }

    /// One frame from a stream client, cut by its reassembler.
    func fromStreamClient(_ frame: UnsafeRawBufferPointer, on connection: TURNStreamConnection) {
        // A client's first authenticated Allocate takes it to its session's worker, which answers.
        if connection.movable, let streamMoves, TURNServer.isAllocateRequest(frame),
            let target = streamMoves.target(of: frame, on: connection, server: server, now: clock())
        {
            connection.beginMove(to: target, with: frame)
            return
        }
        let answer = server.receive(
            frame, from: connection.client, transport: connection.transport, now: clock(), into: output)
        switch answer {
        case let .reply(count):
            counters.count(answer, output: output)
            connection.send(UnsafeRawBufferPointer(rebasing: output[..<count]))
            handleEvents()
        case let .relay(peer, relayed, payload):
            relay(answer, payload, to: peer, from: relayed)
            bridge?.flush()
        case let .drop(reason):
            counters.count(answer, output: output)
            // A stream client does not send a request again (RFC 8489 §6.2.2): one whose 401 the
            // per-source limit dropped would wait for the idle close. Without an allocation it
            // is closed now, so it can fail over or try again at once; one with an allocation
            // keeps it (a stale nonce's 438 from a busy NAT must not end live media).
            if reason == .challengeRateLimited, server.relayedAddress(of: connection.fiveTuple) == nil {
                logger.debug("TURN \(connection.fiveTuple): unauthenticated answers rate-limited, closing")
                connection.close()
            }
        }
    }

    /// Closes connections that have held no allocation for ``streamIdleLimitMilliseconds``.
    private func closeIdleStreamClients(now: TURNInstant) {
        for connection in streamClients.values {
            if server.relayedAddress(of: connection.fiveTuple) != nil {
                connection.lastAllocated = now
            } else if now.milliseconds - connection.lastAllocated.milliseconds >= Self.streamIdleLimitMilliseconds {
                logger.debug("TURN \(connection.fiveTuple): no allocation for 30 s, closing the connection")
                connection.close()
            }
        }
    }
}
