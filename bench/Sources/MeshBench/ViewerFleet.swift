import MeshCrypto
import MeshRTC
import MeshRuntime

/// What one viewer received, copied off the worker for the report.
struct ViewerTally: Sendable {
    let index: Int
    let postedAt: UInt64
    let connectedAt: UInt64?
    let firstRTPAt: UInt64?
    let audioPackets: Int
    let audioBytes: Int
    let videoPackets: Int
    let videoBytes: Int
    let dropped: Int
    let failure: String?

    /// All RTP packets received.
    var packets: Int { audioPackets + videoPackets }
    /// Nanoseconds from POST to the first RTP packet.
    var joinTime: UInt64? { firstRTPAt.map { $0 >= postedAt ? $0 - postedAt : 0 } }
}

/// The viewers of one worker and the timer that drives them. Every method runs on the
/// worker's thread (call through `worker.run`); `@unchecked Sendable` only so the command
/// can hand it into those closures.
final class ViewerFleet: @unchecked Sendable {
    /// Tick period of the timer that runs every viewer's transport timers and feedback.
    static let tickMilliseconds: UInt64 = 10

    let worker: MediaWorker
    let certificate: DTLSCertificate
    private var viewers: [BenchViewer] = []
    private var timer: WorkerTimer?

    init(worker: MediaWorker, certificate: DTLSCertificate) {
        self.worker = worker
        self.certificate = certificate
    }

    /// Starts the tick timer.
    func start() throws {
        let timer = try WorkerTimer(worker: worker)
        try timer.start(afterMilliseconds: Self.tickMilliseconds, repeatingEvery: Self.tickMilliseconds) {
            [unowned self] in
            let now = BenchClock.now()
            for viewer in viewers { viewer.tick(now: now) }
        }
        self.timer = timer
    }

    /// Opens a socket for a new viewer on `host`; returns its index and local port.
    func addViewer(host: String) throws -> (index: Int, port: UInt16) {
        let viewer = try BenchViewer(
            index: viewers.count, worker: worker, address: try SocketAddress(ipv4: host, port: 0))
        viewers.append(viewer)
        return (viewer.index, viewer.socket.localAddress.port)
    }

    /// Starts viewer `index` against the node's answer.
    func connect(_ index: Int, local: ICECredentials, answer: ViewerAnswer, postedAt: UInt64) throws {
        try viewers[index].connect(local: local, answer: answer, certificate: certificate, postedAt: postedAt)
    }

    /// Marks viewer `index` as failed before it connected.
    func fail(_ index: Int, _ reason: String) {
        viewers[index].fail(reason)
    }

    /// Every viewer's counters now.
    func snapshot() -> [ViewerTally] {
        viewers.map { viewer in
            ViewerTally(
                index: viewer.index, postedAt: viewer.postedAt, connectedAt: viewer.connectedAt,
                firstRTPAt: viewer.firstRTPAt, audioPackets: viewer.audio.packets, audioBytes: viewer.audio.bytes,
                videoPackets: viewer.video.packets, videoBytes: viewer.video.bytes, dropped: viewer.dropped,
                failure: viewer.failure)
        }
    }

    /// Closes every viewer's transport and socket and the timer.
    func closeAll() {
        timer?.close()
        timer = nil
        for viewer in viewers { viewer.close() }
    }
}
