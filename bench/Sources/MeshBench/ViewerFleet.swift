import MeshCrypto
import MeshRTC
import MeshRuntime

/// The viewers of one worker and the timer that drives them. Every method runs on the
/// worker's thread (call through `worker.run`); `@unchecked Sendable` only so the command
/// can hand it into those closures.
///
/// A viewer that leaves is dropped at once (``close(_:)`` hands its last figures to the
/// caller to fold), so the fleet holds only the viewers still here: a churn run of any length
/// keeps constant memory.
final class ViewerFleet: @unchecked Sendable {
    /// Tick period of the timer that runs every viewer's transport timers and feedback.
    static let tickMilliseconds: UInt64 = 10

    let worker: MediaWorker
    let certificate: DTLSCertificate
    /// The viewers still here, by index (indexes are never reused).
    private var viewers: [Int: BenchViewer] = [:]
    private var nextIndex = 0
    private var timer: WorkerTimer?
    /// Latency samples of every viewer here.
    let latency = FleetLatency()
    /// Packets per second of arrival, every viewer here.
    let arrivals = ArrivalSeconds()
    /// The same for the viewers marked steady before a join burst (``markSteady()``) only.
    let steadyArrivals = ArrivalSeconds()
    /// Latency samples of the steady viewers only.
    let steadyLatency = FleetLatency()

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
            arrivals.noteTick(at: now)
            steadyArrivals.noteTick(at: now)
            for viewer in viewers.values { viewer.tick(now: now) }
        }
        self.timer = timer
    }

    /// Opens a socket for a new viewer on `host`; returns its index and local port.
    func addViewer(host: String) throws -> (index: Int, port: UInt16) {
        let viewer = try BenchViewer(
            index: nextIndex, worker: worker, address: try SocketAddress(ipv4: host, port: 0), latency: latency,
            arrivals: arrivals)
        viewers[nextIndex] = viewer
        nextIndex += 1
        return (viewer.index, viewer.socket.localAddress.port)
    }

    /// Starts viewer `index` against the node's answer, through `turn` when given.
    func connect(
        _ index: Int, local: ICECredentials, answer: ViewerAnswer, postedAt: UInt64, turn: TURNServerLink? = nil
    ) throws {
        guard let viewer = viewers[index] else { return }
        viewer.captureTimeID = answer.captureTimeID
        try viewer.connect(local: local, answer: answer, certificate: certificate, postedAt: postedAt, turn: turn)
    }

    /// Gives viewer `index` the picture send times to measure latency by (see ``FrameSendTimes``).
    func setSendTimes(_ index: Int, _ sendTimes: FrameSendTimes?) {
        viewers[index]?.sendTimes = sendTimes
    }

    /// Marks viewer `index` as failed before it connected.
    func fail(_ index: Int, _ reason: String) {
        viewers[index]?.fail(reason)
    }

    /// The counters of every viewer still here, in index order.
    func snapshot() -> [ViewerTally] {
        viewers.keys.sorted().compactMap { viewers[$0].map(ViewerTally.init) }
    }

    /// Closes viewer `index` (it left: churn) and drops it; returns its final figures for the
    /// caller to fold into its totals (`nil` if it was gone already).
    func close(_ index: Int) -> ViewerTally? {
        guard let viewer = viewers.removeValue(forKey: index) else { return nil }
        viewer.close()
        return ViewerTally(viewer)
    }

    /// Counts packets by arrival second from `origin` (monotonic ns) on.
    func startArrivalClock(at origin: UInt64) {
        arrivals.start(at: origin)
        steadyArrivals.start(at: origin)
    }

    /// Counts every viewer here now a second time, apart from those who join after: the
    /// existing viewers of a join burst, whose packet rate must not dip while others join.
    func markSteady() {
        for viewer in viewers.values { viewer.cohort = (steadyArrivals, steadyLatency) }
    }

    /// The latency samples since the last call.
    func takeLatencyInterval() -> LatencyRecorder {
        latency.takeInterval()
    }

    /// Closes every viewer's transport and socket and the timer.
    func closeAll() {
        timer?.close()
        timer = nil
        for viewer in viewers.values { viewer.close() }
    }
}
