import Glibc

/// The monotonic clock the viewers and the command share (CLOCK_MONOTONIC, nanoseconds,
/// the same time base as the node's `now`).
enum BenchClock {
    /// Monotonic nanoseconds.
    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }
}
