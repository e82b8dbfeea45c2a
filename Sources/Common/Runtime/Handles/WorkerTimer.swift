import CLibUV

/// A libuv timer on a worker: one-shot or repeating, with mediasoup's close discipline.
///
/// Use it only on its worker's thread (`Sendable` only so it can leave a `run {}` block).
/// It stays open, and alive, until ``close()`` or until the worker stops.
public final class WorkerTimer: WorkerOwnedHandle, @unchecked Sendable {
    /// The worker that owns the timer.
    public unowned let worker: MediaWorker
    private var handle: UnsafeMutablePointer<uv_timer_t>?
    private var onFire: (() -> Void)?

    /// Creates a stopped timer on `worker`; call on the worker's thread.
    public init(worker: MediaWorker) throws(UVError) {
        self.worker = worker
        let handle = try LoopHandleMemory.initialize(UV_TIMER, as: uv_timer_t.self, "uv_timer_init") {
            uv_timer_init(worker.loop, $0)
        }
        self.handle = handle
        handle.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        worker.register(self)
    }

    /// (Re)starts the timer: `onFire` runs after `delay` milliseconds, then every `interval`
    /// milliseconds if `interval` is not 0 (0: once).
    public func start(
        afterMilliseconds delay: UInt64, repeatingEvery interval: UInt64 = 0,
        _ onFire: @escaping () -> Void
    ) throws(UVError) {
        guard let handle else { throw UVError(code: UV_EBADF.rawValue, operation: "uv_timer_start") }
        self.onFire = onFire
        let status = uv_timer_start(
            handle,
            { handle in
                guard let data = handle?.pointee.data else { return }
                Unmanaged<WorkerTimer>.fromOpaque(data).takeUnretainedValue().onFire?()
            }, delay, interval)
        try UVError.check(status, "uv_timer_start")
    }

    /// True while the timer is armed.
    public var isActive: Bool {
        guard let handle else { return false }
        return uv_is_active(asUVHandle(handle)) != 0
    }

    /// Restarts a repeating timer's countdown from now (`uv_timer_again`, which does nothing
    /// for a one-shot timer): a caller that did the timer's work early skips one wake-up.
    public func postpone() {
        guard let handle, isActive else { return }
        _ = uv_timer_again(handle)
    }

    /// Disarms the timer; it can be started again.
    public func stop() {
        if let handle { uv_timer_stop(handle) }
    }

    /// Stops and closes the timer. Idempotent; worker thread only.
    public func close() {
        guard let handle else { return }
        self.handle = nil
        handle.pointee.data = nil
        uv_timer_stop(handle)
        LoopHandleMemory.close(handle)
        onFire = nil
        worker.unregister(self)
    }
}
