import Synchronization

/// A media loop inside an ``EmbeddedRuntime``: no thread of its own, no libuv. ``run(_:)``
/// executes its body at once on the caller's task; posted jobs, inboxes, timers and sockets
/// wait for the runtime's driver (``EmbeddedRuntime/runUntilIdle()``,
/// ``EmbeddedRuntime/advanceTime(by:)``), which the test calls.
///
/// `@unchecked Sendable`: the engine calls ``run(_:)`` from async code and ``post(_:)`` from
/// anywhere, so those go through a mutex; the handle lists and callbacks are touched only by
/// `run` bodies and the driver, which a test never runs at the same time.
public final class EmbeddedLoop: MediaLoop, @unchecked Sendable {
    public let index: Int
    /// The runtime's clock.
    public let clock: EmbeddedClock
    /// The runtime's network.
    public let network: EmbeddedNetwork
    /// Posted jobs waiting at most (``post(_:)`` says false beyond, as a full worker inbox does).
    public let jobCapacity: Int

    private struct Jobs {
        var queue: [@Sendable () -> Void] = []
        var isStopped = false
    }

    private let jobs = Mutex(Jobs())
    private let createdAt: UInt64
    private var inboxes: [any EmbeddedDrainable] = []
    private(set) var timers: [EmbeddedTimer] = []
    private var sockets: [EmbeddedDatagramSocket] = []
    private var timerStarts: UInt64 = 0

    init(index: Int, clock: EmbeddedClock, network: EmbeddedNetwork, jobCapacity: Int) {
        self.index = index
        self.clock = clock
        self.network = network
        self.jobCapacity = jobCapacity
        createdAt = clock.now()
    }

    /// True once ``stop()`` was called.
    public var isStopped: Bool { jobs.withLock { $0.isStopped } }

    /// Posted jobs waiting for the driver.
    public var pendingJobs: Int { jobs.withLock { $0.queue.count } }

    /// Open inboxes, timers and sockets.
    public var openHandleCount: Int { inboxes.count + timers.count + sockets.count }

    // MARK: MediaLoop

    /// Runs `body` now, on the caller's task (the test is the loop's only thread).
    public func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        guard !isStopped else { throw WorkerError.stopped }
        return try body()
    }

    @discardableResult
    public func post(_ body: @escaping @Sendable () -> Void) -> Bool {
        jobs.withLock { jobs in
            guard !jobs.isStopped, jobs.queue.count < jobCapacity else { return false }
            jobs.queue.append(body)
            return true
        }
    }

    public func makeInbox<Element: Sendable>(
        of _: Element.Type,
        capacity: Int,
        onReceive: @escaping (Element) -> Void,
        afterDrain: (() -> Void)?
    ) throws(UVError) -> any LoopInbox<Element> {
        let inbox = EmbeddedInbox(loop: self, capacity: capacity, onReceive: onReceive, afterDrain: afterDrain)
        inboxes.append(inbox)
        return inbox
    }

    public func openDatagramSocket(bindingTo address: SocketAddress) throws(UVError) -> any DatagramSocket {
        let socket = try network.bind(address, loop: self)
        sockets.append(socket)
        return socket
    }

    public func makeTimer() throws(UVError) -> any LoopTimer {
        let timer = EmbeddedTimer(loop: self)
        timers.append(timer)
        return timer
    }

    /// All simulated time counts as idle: an embedded loop takes no time to do anything.
    public var loopIdleTime: UInt64 { clock.now() - createdAt }

    // MARK: Stopping

    /// Stops the loop as ``MediaWorker/stop()`` does: queued jobs are dropped, every handle is
    /// closed, ``run(_:)`` throws ``WorkerError/stopped`` and ``post(_:)`` says false. Idempotent.
    public func stop() {
        jobs.withLock { jobs in
            jobs.isStopped = true
            jobs.queue = []
        }
        for inbox in inboxes { inbox.close() }
        for timer in timers { timer.close() }
        for socket in sockets { socket.close() }
    }

    // MARK: Driver side

    /// Runs the jobs queued now (later posts wait for the next pass); false when there were none.
    func runPostedJobs() -> Bool {
        let queued = jobs.withLock { jobs in
            defer { jobs.queue = [] }
            return jobs.queue
        }
        for job in queued { job() }
        return !queued.isEmpty
    }

    /// Drains every inbox that holds something; false when all were empty.
    func drainInboxes() -> Bool {
        var drained = false
        for inbox in inboxes where inbox.drain() {
            drained = true
        }
        return drained
    }

    /// Elements waiting in this loop's inboxes.
    var pendingInboxElements: Int { inboxes.reduce(0) { $0 + $1.count } }

    func nextTimerStartOrder() -> UInt64 {
        timerStarts += 1
        return timerStarts
    }

    /// Drops a closed handle from the loop's lists.
    func forget(_ handle: AnyObject) {
        inboxes.removeAll { $0 === handle }
        timers.removeAll { $0 === handle }
        sockets.removeAll { $0 === handle }
    }
}
