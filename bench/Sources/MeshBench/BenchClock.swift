import MeshRTC

/// The clocks the viewers, publishers and commands share with the node: monotonic
/// nanoseconds (CLOCK_MONOTONIC, the node's `now`) and wall-clock NTP time (capture times).
typealias BenchClock = EngineClock
