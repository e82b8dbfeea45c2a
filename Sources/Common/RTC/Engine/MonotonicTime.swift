import Glibc

/// The clocks the engine reads; everything below it takes time as an argument.
public enum EngineClock {
    /// Monotonic nanoseconds (CLOCK_MONOTONIC), the `now` of the sans-IO media code.
    public static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    /// Wall-clock time as a 64-bit NTP timestamp (RFC 3550 §4: seconds since 1900, 32.32).
    public static func ntpNow() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let seconds = UInt64(spec.tv_sec) &+ 2_208_988_800
        let fraction = (UInt64(spec.tv_nsec) << 32) / 1_000_000_000
        return seconds << 32 | fraction
    }
}

/// Durations in the engine's nanosecond time base.
extension UInt64 {
    static func milliseconds(_ value: UInt64) -> UInt64 { value &* 1_000_000 }
    static func seconds(_ value: Double) -> UInt64 { UInt64(value * 1_000_000_000) }
}
