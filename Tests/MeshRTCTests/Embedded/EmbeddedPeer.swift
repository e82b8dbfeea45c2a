import MeshCrypto
import MeshRTC
import MeshRuntime
import MeshWire

/// A WebRTC client on an ``EmbeddedNetwork``, played the way a browser plays it: ICE
/// controlling, DTLS, SRTP (the same ``PeerTransport`` meshbench's clients use). A publisher
/// sends RTP it is given and records the RTCP the node sends back; a viewer records the RTP it
/// receives and sends the NACKs and PLIs a test asks for. Polled every 10 ms by a timer on the
/// clients' loop, so ``EmbeddedRuntime/advanceTime(by:)`` drives it like the node's workers.
final class EmbeddedPeer: @unchecked Sendable {
    /// One RTP packet as the viewer received it (after SRTP; an RTX packet unwrapped, RFC 4588 §4).
    struct Received: Equatable {
        let ssrc: UInt32
        let sequence: UInt16
        let timestamp: UInt32
        let payload: [UInt8]
        /// Whether it came as RTX.
        var isRetransmission = false
    }

    let socket: EmbeddedDatagramSocket
    let credentials = ICECredentials.generate()
    let certificate: DTLSCertificate
    private let clock: EmbeddedClock
    private(set) var transport: PeerTransport?
    private(set) var answer: EmbeddedAnswer?
    /// RTP received (viewers), oldest first.
    private(set) var received: [Received] = []
    /// What a client makes of the RTCP it receives (copied out: parsed packets borrow the buffer).
    enum Feedback: Equatable {
        case nack([UInt16])
        /// A PLI or FIR, with the SSRC it asks a key frame of.
        case keyframeRequest(ssrc: UInt32)
        case senderReport(ssrc: UInt32, ntp: UInt64, rtp: UInt32)
        case other
    }

    /// RTCP received (publishers: NACKs, PLIs, reports; viewers: sender reports), oldest first.
    private(set) var rtcp: [Feedback] = []
    private(set) var isConnected = false
    /// A TURN server the client talks to (issue 13): what it sends that is not ChannelData on
    /// ``channel`` lands in ``turnReplies``.
    var turnServer: SocketAddress?
    /// A TURN channel bound to the node (RFC 8656 §12): once set, everything the transport sends
    /// goes as ChannelData to ``turnServer``, and ChannelData on it is received as from `peer`.
    var channel: (number: UInt16, peer: SocketAddress)?
    /// STUN messages from ``turnServer`` (Allocate, ChannelBind answers), oldest first.
    private(set) var turnReplies: [[UInt8]] = []
    private let senderSSRC = UInt32.random(in: 1...UInt32.max)
    private var timer: (any LoopTimer)?

    init(runtime: EmbeddedRuntime, loop: EmbeddedLoop, port: UInt16) throws {
        clock = runtime.clock
        certificate = try DTLSCertificate.generateSelfSigned()
        socket = try runtime.network.openSocket(bindingTo: SocketAddress(ipv4: "127.0.0.2", port: port))
        try socket.startReceiving({ [unowned self] bytes, from in receive(bytes, from: from) }, batchEnded: nil)
        let timer = try loop.makeTimer()
        try timer.start(afterMilliseconds: 10, repeatingEvery: 10) { [unowned self] in poll() }
        self.timer = timer
    }

    /// The offer to POST: `sendonly` for a publisher (with `rids` for simulcast), `recvonly` for a viewer.
    func offer(direction: String, rids: [String] = []) -> String {
        EmbeddedOffer(credentials: credentials, fingerprint: certificate.fingerprint, direction: direction, rids: rids)
            .sdp
    }

    /// Takes the node's answer and starts ICE (the first check leaves at the next poll).
    func accept(_ sdp: String) throws {
        let answer = try EmbeddedAnswer(sdp: sdp)
        self.answer = answer
        transport = try PeerTransport(
            client: ICEControllingClient(local: credentials, remote: answer.credentials), server: answer.server,
            certificate: certificate, remoteFingerprint: answer.fingerprint, dtlsRole: answer.dtlsRole)
        poll()
    }

    private func poll() {
        _ = transport?.poll(now: clock.now(), send: send)
    }

    private var send: PeerTransport.Send {
        { [unowned self] bytes, destination in transmit(bytes, to: destination) }
    }

    /// Sends `bytes` to `destination`, or as ChannelData through the TURN server when a channel
    /// is bound (RFC 8656 §12.4: channel number, length, data; no padding over UDP).
    func transmit(_ bytes: UnsafeRawBufferPointer, to destination: SocketAddress) {
        guard let channel, let turnServer else {
            _ = try? socket.send(bytes, to: destination)
            return
        }
        let number = channel.number
        let length = UInt16(bytes.count)
        let header = [UInt8(number >> 8), UInt8(number & 0xFF), UInt8(length >> 8), UInt8(length & 0xFF)]
        let framed = header + Array(bytes)
        framed.withUnsafeBytes { _ = try? socket.send($0, to: turnServer) }
    }

    private func receive(_ bytes: UnsafeRawBufferPointer, from: SocketAddress) {
        if let turnServer, from == turnServer {
            // ChannelData starts 0b01 (RFC 8656 §12.4, RFC 7983); anything else is a STUN answer.
            guard let channel, bytes.count >= 4, UInt16(bytes[0]) << 8 | UInt16(bytes[1]) == channel.number else {
                turnReplies.append(Array(bytes))
                return
            }
            let length = Int(UInt16(bytes[2]) << 8 | UInt16(bytes[3]))
            guard bytes.count >= 4 + length else { return }
            // Not `receive` again: the peer may be the TURN server's own address (a worker's
            // media port serves TURN too, issue 13 item 6).
            return receiveFromPeer(UnsafeRawBufferPointer(rebasing: bytes[4..<4 + length]), from: channel.peer)
        }
        receiveFromPeer(bytes, from: from)
    }

    private func receiveFromPeer(_ bytes: UnsafeRawBufferPointer, from: SocketAddress) {
        guard let transport else { return }
        var buffer = Array(bytes) + [UInt8](repeating: 0, count: 64)
        let outcome = buffer.withUnsafeMutableBytes { buffer in
            transport.handleDatagram(buffer, length: bytes.count, from: from, now: clock.now(), send: send)
        }
        switch outcome {
        case .connected: isConnected = true
        case .rtp(let length):
            let packet = Array(buffer[..<length])
            guard let view = try? packet.withUnsafeBytes({ try RTPPacketView(parsing: $0) }) else { return }
            let payload = Array(view.payload)
            if let answer, view.ssrc == answer.rtxSSRCs["1"], payload.count >= 2, let media = answer.ssrcs["1"] {
                received.append(
                    Received(
                        ssrc: media, sequence: UInt16(payload[0]) << 8 | UInt16(payload[1]), timestamp: view.timestamp,
                        payload: Array(payload.dropFirst(2)), isRetransmission: true))
            } else {
                received.append(
                    Received(
                        ssrc: view.ssrc, sequence: view.sequenceNumber, timestamp: view.timestamp, payload: payload))
            }
        case .rtcp(let length):
            let packet = Array(buffer[..<length])
            packet.withUnsafeBytes { raw in
                var iterator = RTCPCompoundIterator(raw)
                while let view = try? iterator.next() {
                    switch try? RTCPPacket(parsing: view) {
                    case .genericNACK(let nack)?: rtcp.append(.nack(Array(nack.lostSequenceNumbers)))
                    case .pictureLossIndication(let pli)?: rtcp.append(.keyframeRequest(ssrc: pli.mediaSSRC))
                    case .fullIntraRequest(let fir)?:
                        rtcp += fir.entries.map { .keyframeRequest(ssrc: $0.ssrc) }
                    case .senderReport(let report)?:
                        rtcp.append(
                            .senderReport(ssrc: report.ssrc, ntp: report.ntpTimestamp, rtp: report.rtpTimestamp))
                    default: rtcp.append(.other)
                    }
                }
            }
        default: break
        }
    }

    // MARK: Sending

    /// Protects and sends one RTP packet to the node.
    func sendRTP(_ packet: [UInt8]) {
        guard let transport, let server = answer?.server else { return }
        var buffer = packet + [UInt8](repeating: 0, count: 64)
        let length = buffer.withUnsafeMutableBytes { transport.protectRTP($0, length: packet.count) }
        guard let length else { return }
        buffer.withUnsafeBytes { transmit(UnsafeRawBufferPointer(rebasing: $0[..<length]), to: server) }
    }

    /// Protects and sends one RTCP packet to the node.
    func sendRTCP(_ packet: some RTCPPacketFormat) {
        guard let transport, let server = answer?.server else { return }
        var buffer = [UInt8](repeating: 0, count: 1500)
        buffer.withUnsafeMutableBytes { raw in
            var writer = ByteWriter(raw)
            guard (try? packet.marshal(into: &writer)) != nil,
                let length = transport.protectRTCP(raw, length: writer.offset)
            else { return }
            transmit(UnsafeRawBufferPointer(rebasing: raw[..<length]), to: server)
        }
    }

    /// A viewer asks for `sequences` of the stream it receives with `ssrc` again (RFC 4585 §6.2.1).
    func nack(_ sequences: [UInt16], ssrc: UInt32) {
        sendRTCP(GenericNACK(senderSSRC: senderSSRC, mediaSSRC: ssrc, lostSequenceNumbers: sequences))
    }

    /// A viewer asks for a key frame (RFC 4585 §6.3.1).
    func pictureLoss(ssrc: UInt32) {
        sendRTCP(PictureLossIndication(senderSSRC: senderSSRC, mediaSSRC: ssrc))
    }

    /// A viewer reports what it can receive (REMB, draft-alvestrand-rmcat-remb).
    func remb(bitrate: UInt64) {
        sendRTCP(ReceiverEstimatedMaxBitrate(senderSSRC: senderSSRC, bitrate: bitrate, ssrcs: [videoSSRC]))
    }

    /// Sends DTLS close_notify.
    func close() {
        transport?.close(send: send)
        timer?.close()
    }

    /// Forgets what was received so far.
    func clearReceived() {
        received.removeAll()
        rtcp.removeAll()
    }
}
