import Logging
import MeshRuntime
import MeshWire
import Synchronization

/// The media side of one worker: its port and the demultiplexer in front of everything on it.
///
/// Each datagram is classified once (RFC 7983) and, when STUN, parsed once; it then goes to
/// the session it belongs to (found by ICE ufrag or by the address ICE proved) or to a link end
/// (by the peer's address). Decrypted media goes to a producer (``PublisherIngest``, or link
/// ingest in ``WorkerLinks``), which stores it and hands it to the worker's ``TrackRouter``; the
/// router hands it to the consumers (``ViewerTrack``, ``LinkConsumer``). Everything batched for
/// sending leaves once per receive batch or inbox drain (``WorkerOutput``). Worker thread only;
/// sessions are in `WorkerMedia+Sessions.swift`, timers and snapshots in `WorkerMedia+Ticks.swift`.
final class WorkerMedia: @unchecked Sendable {
    let index: Int
    let loop: any MediaLoop
    let port: UInt16
    unowned let engine: MediaEngine
    let logger: Logger
    let output: WorkerOutput
    let router: TrackRouter
    let publishers: PublisherIngest
    let viewers: WorkerViewers
    let links: WorkerLinks
    /// Streams tapped on this worker (a recorder's).
    let taps: WorkerTaps
    /// How sessions' transports send STUN, DTLS and RTCP: made once, not per datagram.
    let sendControl: PeerTransport.Send

    /// Notices from producers on other workers. Set in `start()`; producers on any thread.
    private(set) var notices: (any LoopInbox<ForwardNotice>)?
    /// The in-process side of the socket, once something in this process serves addresses the
    /// sessions talk to (the TURN relay: `MediaEngine+InProcess.swift`).
    var inProcess: InProcessDivert?
    /// What serves TURN on this port, once something does (`MediaEngine+TURNPort.swift`): it
    /// takes every TURN message and ChannelData before the sessions see them.
    var turnPort: ((UnsafeMutableRawBufferPointer, SocketAddress) -> Void)?
    private(set) var timer: (any LoopTimer)?
    /// The period the tick timer runs at (ms; 0 before it starts): ``retime()`` sets it.
    var timerPeriod: UInt64 = 0
    /// Handshake records put off to later turns (see ``HandshakeBacklog``), and the timer that
    /// takes them up when no receive batch comes to do it.
    private let handshakes = HandshakeBacklog()
    private var handshakeTimer: (any LoopTimer)?

    var sessionsByID: [String: MediaSession] = [:]
    var sessionsByUfrag: [String: MediaSession] = [:]
    var sessionsByAddress: [SocketAddress: MediaSession] = [:]
    var lastSlowTick: UInt64 = 0
    /// When the tick last ran (engine clock, ns): ``tickIfDue()`` compares against it.
    var lastTick: UInt64 = 0
    var lastIdleTime: UInt64 = 0
    var lastUtilisationSample: UInt64 = 0
    /// When the loop last ran its tick (engine clock, ns): written by the worker, read by
    /// `/health/live` from any thread, so a stuck loop shows without asking the loop anything.
    let lastTurn = Atomic<UInt64>(0)

    init(index: Int, loop: any MediaLoop, port: UInt16, engine: MediaEngine, logger: Logger) {
        self.index = index
        self.loop = loop
        self.port = port
        self.engine = engine
        var logger = logger
        logger[metadataKey: "worker"] = "\(index)"
        self.logger = logger
        output = WorkerOutput(
            index: index, viewerDropRate: engine.configuration.egressDropRate,
            linkDropRate: engine.configuration.linkDropRate)
        router = TrackRouter(index: index, output: output)
        publishers = PublisherIngest(output: output, router: router, trace: engine.trace)
        viewers = WorkerViewers(
            output: output, router: router, startBitrate: engine.configuration.viewerStartBitrate, logger: logger)
        links = WorkerLinks(output: output, router: router, engine: engine, logger: logger)
        taps = WorkerTaps(router: router)
        sendControl = { [output] data, destination in output.sendControl(data, to: destination) }
    }

    /// Binds the port, opens the inbox and starts the timer. Worker thread.
    func start(host: String) throws {
        let address =
            host.contains(":") ? try SocketAddress(ipv6: host, port: port) : try SocketAddress(ipv4: host, port: port)
        let socket = try loop.openDatagramSocket(bindingTo: address)
        output.socket = socket
        try? socket.setReceiveBufferSize(4 << 20)
        try? socket.setSendBufferSize(4 << 20)
        notices = try loop.makeInbox(
            of: ForwardNotice.self, capacity: 16384,
            onReceive: { [unowned self] notice in
                router.deliver(notice.track, layer: notice.layer, sequence: notice.sequence, now: engine.clock.now())
            },
            afterDrain: { [unowned self] in
                tickIfDue()
                output.flush()
            })
        try socket.startReceiving(
            { [unowned self] bytes, from in receive(bytes, from: from) },
            batchEnded: { [unowned self] in endReceiveBatch() })
        handshakeTimer = try loop.makeTimer()
        timer = try loop.makeTimer()
        retime()
        viewers.pacer = ProbePacer(timer: try loop.makeTimer()) { [unowned self] in
            viewers.pace(now: engine.clock.now())
            output.flush()
        }
        lastUtilisationSample = engine.clock.now()
        lastIdleTime = loop.loopIdleTime
        lastTick = lastUtilisationSample
        lastTurn.store(lastUtilisationSample, ordering: .relaxed)
    }

    /// Points the router at every worker's inbox; runs once all workers started.
    func connect(to workers: [WorkerMedia]) {
        router.inboxes = workers.map(\.notices)
    }

    // MARK: Receiving

    func receive(_ bytes: UnsafeRawBufferPointer, from: SocketAddress) {
        output.counters.packetsIn &+= 1
        output.counters.bytesIn &+= bytes.count
        let now = engine.clock.now()
        let buffer = UnsafeMutableRawBufferPointer(mutating: bytes)
        let session: MediaSession
        let outcome: PeerInbound
        let kind = RFC7983Demultiplexer.classify(bytes)
        if let turnPort, kind == .turnChannel || (kind == .stun && Self.isTURNMessage(bytes)) {
            return turnPort(buffer, from)
        }
        if kind == .stun {
            guard let message = try? STUNMessage(parsing: bytes) else {
                output.counters.drop(.stunMalformed)
                return
            }
            guard let ufrag = ICELiteAgent.localUfrag(in: message) else {
                output.counters.drop(.stunNoUser)
                return
            }
            guard let found = sessionsByUfrag[String(ufrag)], !found.isClosed else {
                output.counters.drop(.unknownSender)
                return
            }
            session = found
            outcome = session.transport.handleSTUN(message, from: from, now: now, send: sendControl)
        } else {
            guard let found = sessionsByAddress[from] else {
                if let link = links.byAddress[from] {
                    links.receive(buffer, onLink: link, now: now)
                } else {
                    output.counters.drop(.unknownSender)
                }
                return
            }
            guard !found.isClosed else {
                output.counters.drop(.unknownSender)
                return
            }
            if kind == .dtls, !found.isConnected {
                guard !handshakes.mustDefer else { return putOff(bytes, from: from) }
                handshakes.budget -= 1
            }
            session = found
            outcome = session.transport.handleDatagram(
                buffer, length: bytes.count, kind: kind, from: from, now: now, send: sendControl)
        }
        handle(outcome, of: session, from: from, buffer: buffer, now: now)
    }

    // MARK: Handshakes put off

    /// Ends a burst of received datagrams (a `recvmmsg` batch, or datagrams handed over
    /// in-process): a new handshake budget, spent on what waits, then what was batched leaves.
    func endReceiveBatch() {
        takeUpHandshakes()
        tickIfDue()
        output.flush()
    }

    /// Keeps a handshake record for a later turn; dropped (the peer sends it again) when the
    /// backlog is full. The first record put off starts the timer, so the backlog is taken up
    /// even when no receive batch ends (datagrams handed over in-process, an idle socket).
    private func putOff(_ record: UnsafeRawBufferPointer, from: SocketAddress) {
        guard handshakes.append(record, from: from) else { return output.counters.drop(.handshakeBacklogFull) }
        output.counters.handshakeRecordsDeferred &+= 1
        if handshakes.count == 1 { scheduleHandshakes() }
    }

    /// Takes the backlog up again in 1 ms (a later loop turn).
    private func scheduleHandshakes() {
        try? handshakeTimer?.start(afterMilliseconds: 1, repeatingEvery: 0) { [unowned self] in
            endReceiveBatch()
        }
    }

    /// Starts a new turn's budget and spends it on the oldest records put off; the timer comes
    /// back for the rest in 1 ms if no receive batch does first.
    private func takeUpHandshakes() {
        handshakes.budget = HandshakeBacklog.perTurn
        guard !handshakes.isEmpty else { return }
        let now = engine.clock.now()
        while handshakes.budget > 0 {
            let took = handshakes.takeOldest { record, from in
                guard let session = sessionsByAddress[from], !session.isClosed else {
                    return output.counters.drop(.unknownSender)
                }
                let outcome = session.transport.handleDatagram(
                    record, length: record.count, kind: .dtls, from: from, now: now, send: sendControl)
                handle(outcome, of: session, from: from, buffer: record, now: now)
            }
            guard took else { break }
            handshakes.budget -= 1
        }
        if !handshakes.isEmpty { scheduleHandshakes() }
    }

    private func handle(
        _ outcome: PeerInbound, of session: MediaSession, from: SocketAddress, buffer: UnsafeMutableRawBufferPointer,
        now: UInt64
    ) {
        switch outcome {
        case .none:
            break
        case .binding(let nominated, let addressChanged):
            // A valid binding request proves the address: DTLS and SRTP from it find the session.
            if sessionsByAddress[from] !== session {
                session.knownAddresses.insert(from)
                sessionsByAddress[from] = session
            }
            if nominated && addressChanged {
                logger.info(
                    "ICE selected \(from)", metadata: ["session": "\(session.id)", "stream": "\(session.stream.name)"])
            }
        case .connected:
            session.isConnected = true
            logger.info(
                "\(session.role.name) connected (DTLS-SRTP up) from \(from)",
                metadata: ["session": "\(session.id)", "stream": "\(session.stream.name)"])
            sessionConnected(session)
        case .rtp(let length):
            let packet = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length])
            switch session.role {
            case .publisher(let state): publishers.receiveRTP(packet, session: session, state: state, now: now)
            case .viewer: output.counters.drop(.viewerRTP)
            }
        case .rtcp(let length):
            let packet = UnsafeRawBufferPointer(rebasing: buffer[0..<length])
            switch session.role {
            case .publisher(let state): publishers.receiveRTCP(packet, state: state, now: now)
            case .viewer(let state): viewers.receiveRTCP(packet, session: session, state: state, now: now)
            }
        case .dropped(let reason):
            output.counters.drop(reason)
        }
    }
}
