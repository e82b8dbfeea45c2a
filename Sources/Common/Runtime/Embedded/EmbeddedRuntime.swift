import Synchronization

/// A deterministic stand-in for a node's media workers, for tests (the idea of swift-nio's
/// `EmbeddedEventLoop` and its `advanceTime(by:)`): one ``EmbeddedClock``, one
/// ``EmbeddedNetwork`` and any number of ``EmbeddedLoop``s, all driven by the test.
///
/// Nothing happens by itself. ``runUntilIdle()`` runs passes (due timers, posted jobs, inbox
/// drains, one round of datagram delivery) until a pass finds nothing to do;
/// ``advanceTime(by:)`` walks the clock from timer to timer, settling in between. A system
/// that never settles (two sockets echoing each other forever) makes them throw after
/// ``passLimit`` passes instead of spinning.
///
/// Drive it from one task at a time, never from inside its own callbacks (both trap).
public final class EmbeddedRuntime: Sendable {
    /// The clock every loop reads.
    public let clock: EmbeddedClock
    /// The network every socket sends into.
    public let network: EmbeddedNetwork
    /// Passes one settling may take before it gives up.
    public let passLimit: Int

    private let loopList = Mutex<[EmbeddedLoop]>([])
    private let isDriving = Atomic<Bool>(false)

    /// A runtime with no loops yet.
    public init(
        clock: EmbeddedClock = EmbeddedClock(), network: EmbeddedNetwork = EmbeddedNetwork(), passLimit: Int = 10_000
    ) {
        self.clock = clock
        self.network = network
        self.passLimit = passLimit
    }

    /// Adds a loop; its ``EmbeddedLoop/index`` is its position.
    public func makeLoop(jobCapacity: Int = WorkerSettings().jobInboxCapacity) -> EmbeddedLoop {
        loopList.withLock { loops in
            let loop = EmbeddedLoop(index: loops.count, clock: clock, network: network, jobCapacity: jobCapacity)
            loops.append(loop)
            return loop
        }
    }

    /// The loops, in creation order.
    public var loops: [EmbeddedLoop] { loopList.withLock { $0 } }

    /// When the earliest armed timer is due (nil: none is armed).
    public var nextTimerDue: UInt64? {
        loops.lazy.flatMap { $0.timers.lazy.compactMap(\.dueAt) }.min()
    }

    // MARK: Driving

    /// Runs passes until one finds nothing to do: timers due now fire, posted jobs run,
    /// inboxes drain (each followed by its `afterDrain`), and datagrams in flight are delivered
    /// (each socket's batch followed by its `batchEnded`). The clock does not move.
    public func runUntilIdle() throws(EmbeddedRuntimeError) {
        try driving { () throws(EmbeddedRuntimeError) in try settle() }
    }

    /// Moves the clock forward by `duration`: to each timer's due time in turn, firing it and
    /// settling (as ``runUntilIdle()``) before going on, then to the end, settling once more.
    public func advanceTime(by duration: Duration) throws(EmbeddedRuntimeError) {
        let target = clock.now() + EmbeddedClock.nanoseconds(of: duration)
        try driving { () throws(EmbeddedRuntimeError) in
            try settle()
            while let due = nextTimerDue, due <= target {
                clock.advance(to: due)
                try settle()
            }
            clock.advance(to: target)
            try settle()
        }
    }

    private func driving(_ body: () throws(EmbeddedRuntimeError) -> Void) throws(EmbeddedRuntimeError) {
        let (entered, _) = isDriving.compareExchange(expected: false, desired: true, ordering: .acquiring)
        precondition(entered, "EmbeddedRuntime driven from inside its own callbacks, or from two tasks at once")
        defer { isDriving.store(false, ordering: .releasing) }
        try body()
    }

    private func settle() throws(EmbeddedRuntimeError) {
        var passes = 0
        while pass() {
            passes += 1
            if passes >= passLimit {
                throw EmbeddedRuntimeError.didNotSettle(passes: passes, pending: pendingSummary)
            }
        }
    }

    /// One pass; true when it did anything.
    private func pass() -> Bool {
        let loops = self.loops
        var progressed = fireDueTimers(of: loops)
        for loop in loops where loop.runPostedJobs() {
            progressed = true
        }
        for loop in loops where loop.drainInboxes() {
            progressed = true
        }
        if network.deliverInFlight() { progressed = true }
        return progressed
    }

    /// Fires the timers due at the pass's start, earliest first, then by loop, then by start
    /// order (libuv's order within a loop). One restarted or stopped meanwhile waits its turn.
    private func fireDueTimers(of loops: [EmbeddedLoop]) -> Bool {
        let now = clock.now()
        var due: [(dueAt: UInt64, loop: Int, order: UInt64, timer: EmbeddedTimer)] = []
        for loop in loops {
            for timer in loop.timers {
                if let dueAt = timer.dueAt, dueAt <= now { due.append((dueAt, loop.index, timer.startOrder, timer)) }
            }
        }
        due.sort { ($0.dueAt, $0.loop, $0.order) < ($1.dueAt, $1.loop, $1.order) }
        var fired = false
        for entry in due where entry.timer.dueAt == entry.dueAt && entry.timer.startOrder == entry.order {
            entry.timer.fire(now: now)
            fired = true
        }
        return fired
    }

    /// What was still pending when settling gave up, for the error message.
    private var pendingSummary: String {
        let loops = self.loops
        let jobs = loops.reduce(0) { $0 + $1.pendingJobs }
        let elements = loops.reduce(0) { $0 + $1.pendingInboxElements }
        return "\(jobs) posted job(s), \(elements) inbox element(s), \(network.pendingSummary)"
    }
}

/// Why an ``EmbeddedRuntime`` stopped driving.
public enum EmbeddedRuntimeError: Error, Equatable, CustomStringConvertible {
    /// Every pass found more work (timers, jobs, inbox elements or datagrams) up to the limit:
    /// something keeps feeding itself.
    case didNotSettle(passes: Int, pending: String)

    public var description: String {
        switch self {
        case .didNotSettle(let passes, let pending):
            "the embedded runtime did not settle after \(passes) passes (still pending: \(pending))"
        }
    }
}
