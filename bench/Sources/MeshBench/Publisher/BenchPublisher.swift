import MeshCrypto
import MeshRTC
import MeshRuntime
import MeshWire

/// One WHIP publisher on a worker: its UDP socket and ``PeerTransport`` (ICE controlling,
/// DTLS, SRTP), the paced clip media it sends, NACKs answered with RTX, and a sender report
/// per stream every second. `@unchecked Sendable` only so the command can hand it into
/// `worker.run` closures; every method runs on the worker's thread.
///
/// The send path writes each packet into the source's buffer, keeps a copy for NACKs,
/// protects it in place and sends it: no allocation per packet.
final class BenchPublisher: @unchecked Sendable {
    /// Tick period of the pacing timer.
    static let tickMilliseconds: UInt64 = 5
    /// Nanoseconds between sender reports.
    static let reportInterval: UInt64 = 1_000_000_000

    let worker: MediaWorker
    let socket: UDPSocket
    let source: PacedMediaSource
    private(set) var transport: PeerTransport?
    private var timer: WorkerTimer?
    private let receiveBuffer: UnsafeMutableRawBufferPointer
    private let controlBuffer: UnsafeMutableRawBufferPointer
    private let scratch: UnsafeMutableRawBufferPointer
    private let send: PeerTransport.Send
    private var nextPoll: UInt64 = 0
    private var nextReport: UInt64 = 0

    private var postedAt: UInt64 = 0
    private var connectedAt: UInt64?
    private var firstPacketAt: UInt64?
    private var nackedPackets = 0
    private var plis = 0
    private var firs = 0
    private var senderReports = 0
    private var failure: String?

    /// Opens the publisher's socket on `worker` at `address` (port 0: any); worker thread only.
    init(worker: MediaWorker, address: SocketAddress, source: PacedMediaSource) throws {
        self.worker = worker
        self.source = source
        socket = try UDPSocket(worker: worker, bindingTo: address)
        receiveBuffer = .allocate(byteCount: 65_536, alignment: 16)
        controlBuffer = .allocate(byteCount: 2048, alignment: 16)
        scratch = .allocate(byteCount: 2048, alignment: 16)
        let socket = socket
        send = { bytes, destination in _ = try? socket.send(bytes, to: destination) }
        try socket.startReceiving { [unowned self] datagram, from in receive(datagram, from: from) }
    }

    deinit {
        receiveBuffer.deallocate()
        controlBuffer.deallocate()
        scratch.deallocate()
    }

    /// Starts ICE and DTLS towards the node's answer and the pacing timer.
    func connect(local: ICECredentials, answer: ViewerAnswer, certificate: DTLSCertificate, postedAt: UInt64) throws {
        self.postedAt = postedAt
        let client = ICEControllingClient(local: local, remote: answer.credentials)
        transport = try PeerTransport(
            client: client, server: answer.server, certificate: certificate,
            remoteFingerprint: answer.fingerprint, dtlsRole: answer.dtlsRole)
        let timer = try WorkerTimer(worker: worker)
        try timer.start(afterMilliseconds: 0, repeatingEvery: Self.tickMilliseconds) { [unowned self] in
            tick(now: BenchClock.now())
        }
        self.timer = timer
    }

    /// Records a failure before a transport exists.
    func fail(_ reason: String) {
        failure = reason
    }

    /// The counters now.
    func snapshot() -> PublisherTally {
        PublisherTally(
            streams: source.streams.map { stream in
                StreamSendTally(
                    label: stream.label, ssrc: stream.ssrc, packets: stream.packetsSent, bytes: stream.bytesSent,
                    resent: stream.packetsResent)
            },
            nackedPackets: nackedPackets, plis: plis, firs: firs, senderReports: senderReports, postedAt: postedAt,
            connectedAt: connectedAt, firstPacketAt: firstPacketAt, failure: failure)
    }

    /// Stops the timer, sends DTLS close_notify and closes the socket.
    func close() {
        timer?.close()
        timer = nil
        transport?.close(send: send)
        socket.stopReceiving()
        socket.close()
    }

    /// Runs the transport's timers, then sends the media and reports that are due.
    /// Extra one-way delay (ns) on the way to the node: the `delay_publishers` fault.
    var delay: UInt64 = 0
    private let delayLine = DelayLine()

    func tick(now: UInt64) {
        guard let transport, failure == nil else { return }
        if now >= nextPoll {
            switch transport.poll(now: now, send: send) {
            case .wait(let until): nextPoll = until
            case .consentExpired: failure = "consent expired"
            case .failed: failure = "DTLS failed"
            case .closed: failure = "closed"
            }
        }
        guard transport.isConnected, let server = transport.remoteAddress else { return }
        let buffer = source.buffer
        let delay = self.delay
        source.tick(now: now, ntp: BenchClock.ntpNow()) { _, length in
            guard let protected = transport.protectRTP(buffer, length: length) else { return }
            let packet = UnsafeRawBufferPointer(rebasing: buffer[..<protected])
            if delay > 0 { delayLine.push(packet, dueAt: now &+ delay) } else { send(packet, server) }
        }
        delayLine.drain(now: now) { send($0, server) }
        if firstPacketAt == nil, source.audio.packetsSent > 0 || source.video.contains(where: { $0.packetsSent > 0 }) {
            firstPacketAt = now
        }
        if now >= nextReport {
            nextReport = now &+ Self.reportInterval
            sendReports(now: now, transport: transport, server: server)
        }
    }

    // MARK: Receive path

    private func receive(_ datagram: UnsafeRawBufferPointer, from: SocketAddress) {
        guard let transport, let base = datagram.baseAddress, let target = receiveBuffer.baseAddress,
            datagram.count <= receiveBuffer.count
        else { return }
        target.copyMemory(from: base, byteCount: datagram.count)
        let now = BenchClock.now()
        switch transport.handleDatagram(receiveBuffer, length: datagram.count, from: from, now: now, send: send) {
        case .connected:
            connectedAt = now
            tick(now: now)
        case .rtcp(let length):
            handleFeedback(UnsafeRawBufferPointer(rebasing: receiveBuffer[..<length]), transport: transport)
        case .none, .binding, .rtp, .dropped: break
        }
    }

    /// NACKs resend from history as RTX (RFC 4588); PLI and FIR are counted only: the clips
    /// carry a key frame every second.
    private func handleFeedback(_ compound: UnsafeRawBufferPointer, transport: PeerTransport) {
        guard let server = transport.remoteAddress else { return }
        var iterator = RTCPCompoundIterator(compound)
        while let view = try? iterator.next() {
            guard let packet = try? RTCPPacket(parsing: view) else { continue }
            switch packet {
            case .genericNACK(let nack):
                guard let stream = source.stream(ssrc: nack.mediaSSRC) else { continue }
                for sequence in nack.lostSequenceNumbers {
                    nackedPackets &+= 1
                    guard let length = stream.writeRetransmission(of: sequence, scratch: scratch, into: controlBuffer),
                        let protected = transport.protectRTP(controlBuffer, length: length)
                    else { continue }
                    send(UnsafeRawBufferPointer(rebasing: controlBuffer[..<protected]), server)
                }
            case .pictureLossIndication: plis &+= 1
            case .fullIntraRequest: firs &+= 1
            default: break
            }
        }
    }

    // MARK: Sender reports

    /// One SR per stream that has sent (RFC 3550 §6.4.1), mapping NTP now to the stream's
    /// RTP clock so the node can line audio and video up.
    private func sendReports(now: UInt64, transport: PeerTransport, server: SocketAddress) {
        let ntp = BenchClock.ntpNow()
        for stream in source.streams where stream.packetsSent > 0 {
            guard let rtpTimestamp = source.rtpTimestamp(of: stream, at: now) else { continue }
            let report = SenderReport(
                ssrc: stream.ssrc, ntpTimestamp: ntp, rtpTimestamp: rtpTimestamp,
                packetCount: UInt32(truncatingIfNeeded: stream.packetsSent),
                octetCount: UInt32(truncatingIfNeeded: stream.bytesSent))
            var writer = ByteWriter(controlBuffer)
            guard (try? report.marshal(into: &writer)) != nil,
                let length = transport.protectRTCP(controlBuffer, length: writer.offset)
            else { continue }
            send(UnsafeRawBufferPointer(rebasing: controlBuffer[..<length]), server)
            senderReports &+= 1
        }
    }
}
