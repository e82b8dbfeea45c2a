#if canImport(Glibc)
    import Glibc
#endif

/// Wall-clock time for what Redis keeps across nodes: reservation, claim, carrier and grant
/// expiry are scores every node compares, so they cannot be monotonic instants of one process.
enum WallClock {
    /// Milliseconds since 1970.
    static func milliseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(max(spec.tv_sec, 0)) &* 1000 &+ UInt64(max(spec.tv_nsec, 0) / 1_000_000)
    }
}
