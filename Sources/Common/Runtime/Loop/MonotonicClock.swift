import Glibc

/// The clocks the media engine reads: monotonic time for timeouts and rates, wall-clock time
/// for RTCP sender reports. ``SystemClock`` reads the kernel; ``EmbeddedClock`` is moved by a test.
public protocol MonotonicClock: Sendable {
    /// Monotonic nanoseconds; only differences mean anything.
    func now() -> UInt64

    /// Wall-clock time as a 64-bit NTP timestamp (RFC 3550 §4: seconds since 1900, 32.32).
    func ntpNow() -> UInt64
}

/// The kernel's clocks: `CLOCK_MONOTONIC` and `CLOCK_REALTIME`.
public struct SystemClock: MonotonicClock {
    /// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
    static let ntpUnixOffset: UInt64 = 2_208_988_800

    /// The kernel's clocks have no state of their own.
    public init() {}

    public func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    public func ntpNow() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let seconds = UInt64(spec.tv_sec) &+ Self.ntpUnixOffset
        let fraction = (UInt64(spec.tv_nsec) << 32) / 1_000_000_000
        return seconds << 32 | fraction
    }
}
