import CLibUV

/// A timer on an ``EmbeddedLoop``: it fires when its runtime's clock reaches the due time
/// (``EmbeddedRuntime/advanceTime(by:)``, or ``EmbeddedRuntime/runUntilIdle()`` for a timer
/// already due). Like libuv, a repeating timer is re-armed `interval` after the time it fired.
///
/// `@unchecked Sendable` for the same reason as ``WorkerTimer``: it may leave a `run {}`
/// block, but it is touched only where its loop runs.
public final class EmbeddedTimer: LoopTimer, @unchecked Sendable {
    /// The clock time the timer fires next (nil: stopped).
    public private(set) var dueAt: UInt64?
    /// The repeat interval in nanoseconds (0: once).
    public private(set) var interval: UInt64 = 0
    /// When it was (re)armed on its loop: breaks ties between timers due at the same time.
    private(set) var startOrder: UInt64 = 0
    private(set) var isClosed = false
    private var onFire: (() -> Void)?
    private weak var loop: EmbeddedLoop?

    init(loop: EmbeddedLoop) {
        self.loop = loop
    }

    /// True while the timer is armed.
    public var isActive: Bool { dueAt != nil }

    public func start(
        afterMilliseconds delay: UInt64, repeatingEvery interval: UInt64 = 0,
        _ onFire: @escaping () -> Void
    ) throws(UVError) {
        guard !isClosed, let loop else { throw UVError(code: UV_EBADF.rawValue, operation: "uv_timer_start") }
        self.onFire = onFire
        self.interval = interval * 1_000_000
        dueAt = loop.clock.now() + delay * 1_000_000
        startOrder = loop.nextTimerStartOrder()
    }

    public func postpone() {
        guard dueAt != nil, interval > 0, let loop else { return }
        dueAt = loop.clock.now() + interval
        startOrder = loop.nextTimerStartOrder()
    }

    public func stop() {
        dueAt = nil
    }

    public func close() {
        guard !isClosed else { return }
        isClosed = true
        dueAt = nil
        onFire = nil
        loop?.forget(self)
    }

    /// Re-arms (repeating) or disarms (once) the timer, then runs its callback. Driver only.
    func fire(now: UInt64) {
        if interval > 0, let loop {
            dueAt = now + interval
            startOrder = loop.nextTimerStartOrder()
        } else {
            dueAt = nil
        }
        onFire?()
    }
}
