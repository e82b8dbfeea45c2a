import MeshRuntime

/// The clocks the viewers, publishers and commands share with the node: monotonic
/// nanoseconds (CLOCK_MONOTONIC, the node's `now`) and wall-clock NTP time (capture times).
enum BenchClock {
    static func now() -> UInt64 { SystemClock().now() }
    static func ntpNow() -> UInt64 { SystemClock().ntpNow() }
}
