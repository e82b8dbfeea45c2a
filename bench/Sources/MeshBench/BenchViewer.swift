import MeshCrypto
import MeshRTC
import MeshRuntime
import MeshWire

/// One WHEP viewer on a worker: its UDP socket and ``PeerTransport`` (ICE controlling, DTLS,
/// SRTP), what it received, and the RTCP it sends back so the node sees a live viewer.
///
/// The receive path copies each datagram into a preallocated buffer (the transport decrypts
/// in place), unprotects it and counts it: no allocation per packet. Worker thread only.
final class BenchViewer {
    /// Nanoseconds between receiver reports (with REMB).
    static let feedbackInterval: UInt64 = 1_000_000_000
    /// The REMB we advertise: high enough to leave the node's layer choice unconstrained.
    static let advertisedBitrate: UInt64 = 10_000_000

    let index: Int
    let socket: UDPSocket
    private(set) var transport: PeerTransport?
    private(set) var audio = StreamTally()
    private(set) var video = StreamTally()
    /// Monotonic ns when the offer was POSTed, when DTLS finished, when the first RTP came.
    private(set) var postedAt: UInt64 = 0
    private(set) var connectedAt: UInt64?
    private(set) var firstRTPAt: UInt64?
    /// Datagrams the transport refused (not counting STUN/DTLS it consumed).
    private(set) var dropped = 0
    /// Why the session ended early, if it did.
    private(set) var failure: String?

    private let senderSSRC = UInt32.random(in: 1...UInt32.max)
    private let receiveBuffer: UnsafeMutableRawBufferPointer
    private let feedbackBuffer: UnsafeMutableRawBufferPointer
    private let send: PeerTransport.Send
    private var nextPoll: UInt64 = 0
    private var nextFeedback: UInt64 = 0

    /// Opens the viewer's socket on `worker` at `address` (port 0: any); worker thread only.
    init(index: Int, worker: MediaWorker, address: SocketAddress) throws {
        self.index = index
        socket = try UDPSocket(worker: worker, bindingTo: address)
        receiveBuffer = .allocate(byteCount: 65_536, alignment: 16)
        feedbackBuffer = .allocate(byteCount: 512, alignment: 16)
        let socket = socket
        send = { bytes, destination in _ = try? socket.send(bytes, to: destination) }
        try socket.startReceiving { [unowned self] datagram, from in receive(datagram, from: from) }
    }

    deinit {
        receiveBuffer.deallocate()
        feedbackBuffer.deallocate()
    }

    /// Starts ICE and DTLS towards the node's answer; the first check leaves at once.
    func connect(local: ICECredentials, answer: ViewerAnswer, certificate: DTLSCertificate, postedAt: UInt64) throws {
        self.postedAt = postedAt
        let client = ICEControllingClient(local: local, remote: answer.credentials)
        transport = try PeerTransport(
            client: client, server: answer.server, certificate: certificate,
            remoteFingerprint: answer.fingerprint, dtlsRole: answer.dtlsRole)
        tick(now: BenchClock.now())
    }

    /// Records a failure before a transport exists (a refused POST, an unusable answer).
    func fail(_ reason: String) {
        failure = reason
    }

    /// Runs the transport's timers (checks, DTLS retransmits, consent every ~5 s) and sends
    /// feedback every second once connected.
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
        if transport.isConnected && now >= nextFeedback {
            nextFeedback = now &+ Self.feedbackInterval
            sendFeedback()
        }
    }

    /// Sends DTLS close_notify and stops receiving.
    func close() {
        transport?.close(send: send)
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
        if packet.payloadType == ViewerOffer.opusPayloadType {
            audio.count(ssrc: packet.ssrc, sequence: packet.sequenceNumber, length: length)
        } else {
            video.count(ssrc: packet.ssrc, sequence: packet.sequenceNumber, length: length)
        }
    }

    // MARK: Feedback (once a second)

    /// A compound RTCP packet: RR with a block per stream seen (RFC 3550 §6.4.2) and a REMB
    /// for the video stream (draft-alvestrand-rmcat-remb), protected and sent.
    private func sendFeedback() {
        guard let transport, let server = transport.remoteAddress else { return }
        var blocks: [ReceptionReport] = []
        for tally in [audio, video] where tally.packets > 0 {
            blocks.append(
                ReceptionReport(
                    ssrc: tally.ssrc, cumulativeLost: tally.cumulativeLost,
                    extendedHighestSequenceNumber: tally.extendedHighest))
        }
        var writer = ByteWriter(feedbackBuffer)
        do {
            try ReceiverReport(ssrc: senderSSRC, reportBlocks: blocks).marshal(into: &writer)
            if video.packets > 0 {
                try ReceiverEstimatedMaxBitrate(
                    senderSSRC: senderSSRC, bitrate: Self.advertisedBitrate, ssrcs: [video.ssrc]
                ).marshal(into: &writer)
            }
        } catch {
            return
        }
        guard let length = transport.protectRTCP(feedbackBuffer, length: writer.offset) else { return }
        send(UnsafeRawBufferPointer(rebasing: feedbackBuffer[..<length]), server)
    }
}
