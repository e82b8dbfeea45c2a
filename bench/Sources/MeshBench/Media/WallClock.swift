import Glibc

/// Wall-clock time as a 64-bit NTP timestamp (RFC 3550 §4: seconds since 1900, 32.32), for
/// capture times and sender reports. Read at the edge and passed in, like `now`.
enum WallClock {
    /// Seconds from 1900 (NTP epoch) to 1970 (Unix epoch).
    static let unixToNTP: UInt64 = 2_208_988_800

    /// NTP time now.
    static func ntpNow() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let seconds = UInt64(spec.tv_sec) &+ unixToNTP
        let fraction = (UInt64(spec.tv_nsec) << 32) / 1_000_000_000
        return seconds << 32 | fraction
    }
}
