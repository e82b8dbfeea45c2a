import MeshCrypto
import MeshRTC
import MeshRuntime

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
    /// Latency samples of every viewer here.
    let latency = FleetLatency()

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
            index: viewers.count, worker: worker, address: try SocketAddress(ipv4: host, port: 0), latency: latency)
        viewers.append(viewer)
        return (viewer.index, viewer.socket.localAddress.port)
    }

    /// Starts viewer `index` against the node's answer.
    func connect(_ index: Int, local: ICECredentials, answer: ViewerAnswer, postedAt: UInt64) throws {
        viewers[index].captureTimeID = answer.captureTimeID
        try viewers[index].connect(local: local, answer: answer, certificate: certificate, postedAt: postedAt)
    }

    /// Gives viewer `index` the picture send times to measure latency by (see ``FrameSendTimes``).
    func setSendTimes(_ index: Int, _ sendTimes: FrameSendTimes?) {
        viewers[index].sendTimes = sendTimes
    }

    /// Marks viewer `index` as failed before it connected.
    func fail(_ index: Int, _ reason: String) {
        viewers[index].fail(reason)
    }

    /// Every viewer's counters now.
    func snapshot() -> [ViewerTally] {
        viewers.map(ViewerTally.init)
    }

    /// Closes viewer `index` (it left: churn); its figures stay in the snapshot.
    func close(_ index: Int) {
        viewers[index].close()
    }

    /// The latency samples since the last call.
    func takeLatencyInterval() -> LatencyRecorder {
        latency.takeInterval()
    }

    /// Closes every viewer's transport and socket and the timer.
    func closeAll() {
        timer?.close()
        timer = nil
        for viewer in viewers { viewer.close() }
    }
}
