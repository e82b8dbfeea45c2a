import Logging
import MeshRuntime
import MeshWire

/// The media side of one worker: its UDP port, the sessions that live on it, and the viewer
/// tracks it feeds. Everything mutable here is touched only on the worker's thread.
final class WorkerMedia: @unchecked Sendable {
    let index: Int
    let worker: MediaWorker
    let port: UInt16
    unowned let engine: MediaEngine
    let logger: Logger

    // Set in `start()` on the worker's thread; read-only afterwards.
    private(set) var socket: UDPSocket?
    /// Notices from publishers on other workers. Producers on any thread.
    private(set) var notices: WorkerInbox<ForwardNotice>?
    private var timer: WorkerTimer?

    var sessionsByID: [String: MediaSession] = [:]
    var sessionsByUfrag: [String: MediaSession] = [:]
    var sessionsByAddress: [SocketAddress: MediaSession] = [:]
    /// The viewer tracks on this worker fed by each published track.
    var subscribers: [ObjectIdentifier: [ViewerTrack]] = [:]
    /// How many viewer sessions and link forwardings of each stream live on this worker (drives
    /// the stream's mask bit).
    var consumerCounts: [ObjectIdentifier: Int] = [:]
    /// Relay link ends owned by this worker, by the peer's address (the demultiplexer's key) and by id.
    var linksByAddress: [SocketAddress: LinkEnd] = [:]
    var linksByID: [String: LinkEnd] = [:]
    /// The sending link ends on this worker forwarding each published track.
    var linkForwarding: [ObjectIdentifier: [LinkEnd]] = [:]
    var counters = WorkerCounters()
    let egress = EgressBatch()
    /// Scratch space for RTCP the worker builds (reports, NACKs, PLIs).
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1500, alignment: 16)
    var random = SystemRandomNumberGenerator()
    var lastSlowTick: UInt64 = 0
    var lastIdleTime: UInt64 = 0
    var lastUtilisationSample: UInt64 = 0

    init(index: Int, worker: MediaWorker, port: UInt16, engine: MediaEngine, logger: Logger) {
        self.index = index
        self.worker = worker
        self.port = port
        self.engine = engine
        var logger = logger
        logger[metadataKey: "worker"] = "\(index)"
        self.logger = logger
    }

    deinit { scratch.deallocate() }

    /// Binds the port, opens the inbox and starts the timer. Worker thread.
    func start(host: String) throws {
        let address =
            host.contains(":") ? try SocketAddress(ipv6: host, port: port) : try SocketAddress(ipv4: host, port: port)
        let socket = try UDPSocket(worker: worker, bindingTo: address)
        self.socket = socket
        try? socket.setReceiveBufferSize(4 << 20)
        try? socket.setSendBufferSize(4 << 20)
        notices = try worker.makeInbox(of: ForwardNotice.self, capacity: 16384) { [unowned self] notice in
            deliver(notice)
        }
        try socket.startReceiving { [unowned self] bytes, from in
            receive(bytes, from: from)
        }
        let timer = try WorkerTimer(worker: worker)
        self.timer = timer
        try timer.start(afterMilliseconds: 20, repeatingEvery: 20) { [unowned self] in
            tick(now: EngineClock.now())
        }
        lastUtilisationSample = EngineClock.now()
        lastIdleTime = worker.loopIdleTime
    }

    // MARK: Receiving

    private func receive(_ bytes: UnsafeRawBufferPointer, from: SocketAddress) {
        counters.packetsIn &+= 1
        counters.bytesIn &+= bytes.count
        let session: MediaSession?
        if RFC7983Demultiplexer.classify(bytes) == .stun {
            guard let message = try? STUNMessage(parsing: bytes) else {
                counters.drop("stun_malformed")
                return
            }
            guard let ufrag = ICELiteAgent.localUfrag(in: message) else {
                counters.drop("stun_no_user")
                return
            }
            session = sessionsByUfrag[String(ufrag)]
        } else {
            session = sessionsByAddress[from]
            if session == nil, let link = linksByAddress[from] {
                receive(bytes, onLink: link)
                return
            }
        }
        guard let session, !session.isClosed else {
            counters.drop("unknown_sender")
            return
        }
        let now = EngineClock.now()
        let buffer = UnsafeMutableRawBufferPointer(mutating: bytes)
        let outcome = session.transport.handleDatagram(buffer, length: bytes.count, from: from, now: now) {
            data, destination in sendControl(data, to: destination)
        }
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
            sessionConnected(session, now: now)
        case .rtp(let length):
            let packet = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length])
            switch session.role {
            case .publisher(let state): receivePublisherRTP(packet, session: session, state: state, now: now)
            case .viewer: counters.drop("viewer_rtp")
            }
        case .rtcp(let length):
            let packet = UnsafeRawBufferPointer(rebasing: buffer[0..<length])
            switch session.role {
            case .publisher(let state): receivePublisherRTCP(packet, state: state, now: now)
            case .viewer(let state): receiveViewerRTCP(packet, session: session, state: state, now: now)
            }
        case .dropped(let reason):
            counters.drop(reason.name)
        }
    }

    // MARK: Sending

    /// Sends a control datagram (STUN, DTLS, RTCP) at once.
    func sendControl(_ bytes: UnsafeRawBufferPointer, to destination: SocketAddress) {
        guard let socket else { return }
        if (try? socket.send(bytes, to: destination)) != nil {
            counters.packetsOut &+= 1
            counters.bytesOut &+= bytes.count
        } else {
            counters.drop("send_failed")
        }
    }

    /// Protects and sends RTCP built in ``scratch``.
    func sendRTCP(length: Int, session: MediaSession) {
        guard let destination = session.transport.remoteAddress,
            let protected = session.transport.protectRTCP(scratch, length: length)
        else { return }
        sendControl(UnsafeRawBufferPointer(rebasing: scratch[0..<protected]), to: destination)
    }

    func flushEgress() {
        guard let socket else { return }
        let result = egress.flush(on: socket)
        counters.packetsOut &+= result.sent
        counters.bytesOut &+= result.bytes
        if result.dropped > 0 { counters.drops["socket_full", default: 0] += result.dropped }
    }
}
