/// A timer owned by one loop, as the media engine uses it.
///
/// ``WorkerTimer`` is the real one (a libuv timer); ``EmbeddedTimer`` fires when its
/// ``EmbeddedRuntime``'s clock passes the due time. Use it only on its loop.
public protocol LoopTimer: AnyObject {
    /// (Re)starts the timer: `onFire` runs after `delay` milliseconds, then every `interval`
    /// milliseconds if `interval` is not 0 (0: once).
    func start(
        afterMilliseconds delay: UInt64, repeatingEvery interval: UInt64,
        _ onFire: @escaping () -> Void
    ) throws(UVError)

    /// Restarts a repeating timer's countdown from now (libuv's `uv_timer_again`): its next
    /// fire is one interval away. Nothing for a stopped or one-shot timer.
    func postpone()

    /// Disarms the timer; it can be started again.
    func stop()

    /// Stops and closes the timer. Idempotent.
    func close()
}

extension WorkerTimer: LoopTimer {}
