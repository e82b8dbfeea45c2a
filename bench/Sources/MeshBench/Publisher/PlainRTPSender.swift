import MeshRuntime
import MeshWire

/// The publisher's packet stream without WebRTC: plain RTP (no ICE, DTLS or SRTP), video to
/// one address and audio to another, as a Janus streaming mountpoint or ffmpeg reads it.
/// One video layer, no simulcast, no feedback. Worker thread only (`@unchecked Sendable` to
/// be handed into `worker.run`).
final class PlainRTPSender: @unchecked Sendable {
    let worker: MediaWorker
    let socket: UDPSocket
    let source: PacedMediaSource
    let videoDestination: SocketAddress
    let audioDestination: SocketAddress
    private var timer: WorkerTimer?
    /// Where the send time of each picture is noted for viewers that cannot get abs-capture-time.
    var sendTimes: FrameSendTimes?

    /// A sender of `source` from a socket on `worker` bound to `address`.
    init(
        worker: MediaWorker, address: SocketAddress, source: PacedMediaSource, video: SocketAddress,
        audio: SocketAddress
    ) throws {
        self.worker = worker
        self.source = source
        socket = try UDPSocket(worker: worker, bindingTo: address)
        videoDestination = video
        audioDestination = audio
    }

    /// Starts pacing.
    func start() throws {
        let timer = try WorkerTimer(worker: worker)
        try timer.start(afterMilliseconds: 0, repeatingEvery: BenchPublisher.tickMilliseconds) { [unowned self] in
            tick(now: BenchClock.now())
        }
        self.timer = timer
    }

    /// Sends what is due at `now`.
    func tick(now: UInt64) {
        let buffer = source.buffer
        let socket = socket
        let video = videoDestination
        let audio = audioDestination
        let sendTimes = sendTimes
        let ntp = BenchClock.ntpNow()
        source.tick(now: now, ntp: ntp) { stream, length in
            let packet = UnsafeRawBufferPointer(rebasing: buffer[..<length])
            if stream.isVideo { sendTimes?.recordSent(packet, ntp: ntp) }
            _ = try? socket.send(packet, to: stream.isVideo ? video : audio)
        }
    }

    /// What was sent.
    func snapshot() -> [StreamSendTally] {
        source.streams.map { stream in
            StreamSendTally(
                label: stream.label, ssrc: stream.ssrc, packets: stream.packetsSent, bytes: stream.bytesSent,
                resent: stream.packetsResent)
        }
    }

    /// Stops pacing and closes the socket.
    func close() {
        timer?.close()
        timer = nil
        socket.close()
    }
}
