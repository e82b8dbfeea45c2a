import MeshCrypto
import MeshRTC
import MeshRuntime
import MeshWire

/// One WHEP viewer on a worker: its UDP socket and ``PeerTransport`` (ICE controlling, DTLS,
/// SRTP), what it received and measured, and the RTCP a real receiver sends back: NACKs for
/// lost video packets (RFC 4585 §6.2.1), a PLI when packets were given up on (§6.3.1),
/// receiver reports and REMB every second. Given a TURN server, every packet to and from the
/// node goes through a ``TURNTunnel`` (ChannelData over UDP or TCP) instead.
///
/// Measured per packet: loss before and after retransmission, jitter, end-to-end latency from
/// the publisher's abs-capture-time extension (into the worker's ``FleetLatency``), complete
/// frames, freezes and the resolution (layer) received. The receive path copies each datagram
/// into a preallocated buffer (the transport decrypts in place): no allocation per packet.
/// Worker thread only.
final class BenchViewer {
    /// Nanoseconds between receiver reports (with REMB).
    static let feedbackInterval: UInt64 = 1_000_000_000
    /// The REMB we advertise: high enough to leave the node's layer choice unconstrained.
    static let advertisedBitrate: UInt64 = 10_000_000
    /// NACK retry spacing: loopback and LAN round trips are far below this.
    static let assumedRoundTripTime: UInt64 = 20_000_000

    let index: Int
    let socket: UDPSocket
    private unowned let worker: MediaWorker
    private(set) var transport: PeerTransport?
    private(set) var audio = ReceivedStream(clockRate: 48_000)
    private(set) var video = ReceivedStream(clockRate: 90_000)
    private(set) var frames = VideoFrameTracker()
    private(set) var layers = LayerBytes()
    /// Generic NACK packets sent, the sequence numbers they asked for, and PLIs sent.
    private(set) var nacksSent = 0
    private(set) var nackedPackets = 0
    private(set) var plisSent = 0
    /// The abs-capture-time id the answer confirmed; `nil` when the node does not forward it.
    var captureTimeID: UInt8?
    /// Picture send times, for a server that drops abs-capture-time (see ``FrameSendTimes``).
    var sendTimes: FrameSendTimes?
    private let latency: FleetLatency
    /// The worker's per-second packet counts, by receive timestamp.
    private let arrivals: ArrivalSeconds
    /// Where the viewer's packets and latency are counted a second time: the steady viewers of
    /// a join burst (``ViewerFleet/markSteady()``), measured apart from those joining.
    var cohort: (arrivals: ArrivalSeconds, latency: FleetLatency)?
    private var keyframeRequests = KeyframeRequestGate()
    /// Monotonic ns when the offer was POSTed, when DTLS finished, when the first RTP came.
    private(set) var postedAt: UInt64 = 0
    private(set) var connectedAt: UInt64?
    private(set) var firstRTPAt: UInt64?
    /// Datagrams the transport refused (not counting STUN/DTLS it consumed).
    private(set) var dropped = 0
    /// Why the session ended early, if it did.
    private(set) var failure: String?
    /// When the viewer left (closed its session), monotonic ns.
    private(set) var leftAt: UInt64?

    private let senderSSRC = UInt32.random(in: 1...UInt32.max)
    private let receiveBuffer: UnsafeMutableRawBufferPointer
    private let feedbackBuffer: UnsafeMutableRawBufferPointer
    private var send: PeerTransport.Send
    /// The path through a TURN server, when the viewer joins through one.
    private(set) var tunnel: TURNTunnel?
    private var nextPoll: UInt64 = 0
    private var nextFeedback: UInt64 = 0

    /// Opens the viewer's socket on `worker` at `address` (port 0: any); worker thread only.
    init(
        index: Int, worker: MediaWorker, address: SocketAddress, latency: FleetLatency, arrivals: ArrivalSeconds
    ) throws {
        self.index = index
        self.worker = worker
        self.latency = latency
        self.arrivals = arrivals
        socket = try UDPSocket(worker: worker, bindingTo: address)
        receiveBuffer = .allocate(byteCount: 65_536, alignment: 16)
        feedbackBuffer = .allocate(byteCount: 1500, alignment: 16)
        let socket = socket
        send = { bytes, destination in _ = try? socket.send(bytes, to: destination) }
        try socket.startReceiving { [unowned self] datagram, from in
            if let tunnel {
                tunnel.receiveDatagram(datagram, from: from)
            } else {
                receive(datagram, from: from)
            }
        }
    }

    deinit {
        receiveBuffer.deallocate()
        feedbackBuffer.deallocate()
    }

    /// Starts ICE and DTLS towards the node's answer; the first check leaves at once.
    /// With `turn`, the first check waits for the TURN channel to the node's address.
    func connect(
        local: ICECredentials, answer: ViewerAnswer, certificate: DTLSCertificate, postedAt: UInt64,
        turn: TURNServerLink? = nil
    ) throws {
        self.postedAt = postedAt
        let client = ICEControllingClient(local: local, remote: answer.credentials)
        transport = try PeerTransport(
            client: client, server: answer.server, certificate: certificate,
            remoteFingerprint: answer.fingerprint, dtlsRole: answer.dtlsRole)
        if let turn {
            let tunnel = try TURNTunnel(
                link: turn, peer: answer.server, socket: socket, worker: worker,
                deliver: { [unowned self] payload, from in receive(payload, from: from) },
                onReady: { [unowned self] in
                    nextPoll = 0
                    tick(now: BenchClock.now())
                })
            self.tunnel = tunnel
            send = { [unowned tunnel] bytes, _ in tunnel.send(bytes) }
            try tunnel.start(now: BenchClock.now())
            return
        }
        tick(now: BenchClock.now())
    }

    /// Records a failure before a transport exists (a refused POST, an unusable answer).
    func fail(_ reason: String) {
        failure = reason
    }

    /// Runs the transport's timers (checks, DTLS retransmits, consent every ~5 s) and sends
    /// feedback every second once connected.
    func tick(now: UInt64) {
        guard let transport, failure == nil, leftAt == nil else { return }
        if let tunnel {
            tunnel.poll(now: now)
            if let reason = tunnel.failure { failure = "TURN: \(reason)" }
            guard tunnel.isReady else { return }
        }
        if now >= nextPoll {
            switch transport.poll(now: now, send: send) {
            case .wait(let until): nextPoll = until
            case .consentExpired: failure = "consent expired"
            case .failed: failure = "DTLS failed"
            case .closed: failure = "closed"
            }
        }
        guard transport.isConnected else { return }
        sendNACKs(now: now)
        if video.takeGaveUp() || audio.takeGaveUp() { requestKeyframe(now: now) }
        if keyframeRequests.poll(now: now) { sendPictureLossIndication() }
        if now >= nextFeedback {
            nextFeedback = now &+ Self.feedbackInterval
            sendFeedback(now: now)
        }
    }

    /// Sends DTLS close_notify and stops receiving.
    func close() {
        guard leftAt == nil else { return }
        leftAt = BenchClock.now()
        transport?.close(send: send)
        tunnel?.close()
        socket.stopReceiving()
        socket.close()
    }

    // MARK: Receive path (per packet, allocation-free)

    private func receive(_ datagram: UnsafeRawBufferPointer, from: SocketAddress) {
        guard let transport, let source = datagram.baseAddress, let target = receiveBuffer.baseAddress,
            datagram.count <= receiveBuffer.count
        else {
            dropped &+= 1
            return
        }
        target.copyMemory(from: source, byteCount: datagram.count)
        let now = BenchClock.now()
        switch transport.handleDatagram(receiveBuffer, length: datagram.count, from: from, now: now, send: send) {
        case .rtp(let length): count(length: length, now: now)
        case .connected:
            connectedAt = now
            tick(now: now)
        case .dropped: dropped &+= 1
        case .none, .binding, .rtcp: break
        }
    }

    private func count(length: Int, now: UInt64) {
        guard let packet = try? RTPPacketView(parsing: UnsafeRawBufferPointer(rebasing: receiveBuffer[..<length]))
        else {
            dropped &+= 1
            return
        }
        if firstRTPAt == nil { firstRTPAt = now }
        arrivals.record(at: now)
        cohort?.arrivals.record(at: now)
        let latency: UInt64?
        if let captureTimeID, let measured = Self.latencyMicroseconds(packet, id: captureTimeID) {
            latency = measured
        } else if let sentAt = sendTimes?.sentAt(packet) {
            latency = Self.microseconds(since: sentAt)
        } else {
            latency = nil
        }
        if let latency {
            self.latency.record(microseconds: latency)
            cohort?.latency.record(microseconds: latency)
        }
        if packet.payloadType == ViewerOffer.opusPayloadType {
            audio.received(packet, length: length, now: now)
            return
        }
        video.received(packet, length: length, now: now)
        frames.received(packet, now: now)
        layers.add(length, width: frames.width, height: frames.height)
    }

    /// The time since the packet's abs-capture-time (an NTP UQ32.32 timestamp, the first 8
    /// bytes of the element), in microseconds; `nil` without the element or when it is ahead.
    static func latencyMicroseconds(_ packet: RTPPacketView, id: UInt8) -> UInt64? {
        guard let element = packet.headerExtension?.element(id: id), element.value.count >= 8 else { return nil }
        var capture: UInt64 = 0
        for byte in element.value.prefix(8) { capture = capture << 8 | UInt64(byte) }
        guard BenchClock.ntpNow() >= capture else { return nil }
        return microseconds(since: capture)
    }

    /// Microseconds from NTP time `then` to now (0 if `then` is ahead).
    static func microseconds(since then: UInt64) -> UInt64 {
        let now = BenchClock.ntpNow()
        guard now >= then else { return 0 }
        // UQ32.32 seconds to microseconds without overflow: whole seconds, then the fraction.
        let elapsed = now - then
        return (elapsed >> 32) * 1_000_000 + ((elapsed & 0xFFFF_FFFF) * 1_000_000) >> 32
    }

    // MARK: Loss feedback (every tick)

    /// NACKs for the video packets due (audio is offered without nack, RFC 4585 §4.2).
    private func sendNACKs(now: UInt64) {
        let mediaSSRC = video.ssrc
        guard mediaSSRC != 0 else { return }
        var writer = GenericNACKWriter(buffer: feedbackBuffer, senderSSRC: senderSSRC, mediaSSRC: mediaSSRC)
        var full = false
        video.forEachDueNACK(now: now, rtt: Self.assumedRoundTripTime) { sequence in
            nackedPackets &+= 1
            if !writer.add(sequence) { full = true }
        }
        _ = full  // 200 pairs cover 3,400 packets: more is a gap the give-up turns into a PLI.
        let length = writer.finish()
        guard length > 0 else { return }
        sendRTCP(length: length)
        nacksSent &+= 1
    }

    private func requestKeyframe(now: UInt64) {
        if keyframeRequests.request(now: now) { sendPictureLossIndication() }
    }

    private func sendPictureLossIndication() {
        guard video.ssrc != 0 else { return }
        var writer = ByteWriter(feedbackBuffer)
        guard (try? PictureLossIndication(senderSSRC: senderSSRC, mediaSSRC: video.ssrc).marshal(into: &writer)) != nil
        else { return }
        sendRTCP(length: writer.offset)
        plisSent &+= 1
    }

    private func sendRTCP(length: Int) {
        guard let transport, let server = transport.remoteAddress,
            let protected = transport.protectRTCP(feedbackBuffer, length: length)
        else { return }
        send(UnsafeRawBufferPointer(rebasing: feedbackBuffer[..<protected]), server)
    }

    // MARK: Feedback (once a second)

    /// A compound RTCP packet: RR with a block per stream seen (RFC 3550 §6.4.2) and a REMB
    /// for the video stream (draft-alvestrand-rmcat-remb), protected and sent.
    private func sendFeedback(now: UInt64) {
        let blocks = [audio.reportBlock(now: now), video.reportBlock(now: now)].compactMap { $0 }
        var writer = ByteWriter(feedbackBuffer)
        do {
            try ReceiverReport(ssrc: senderSSRC, reportBlocks: blocks).marshal(into: &writer)
            if video.ssrc != 0 {
                try ReceiverEstimatedMaxBitrate(
                    senderSSRC: senderSSRC, bitrate: Self.advertisedBitrate, ssrcs: [video.ssrc]
                ).marshal(into: &writer)
            }
        } catch {
            return
        }
        sendRTCP(length: writer.offset)
    }
}
