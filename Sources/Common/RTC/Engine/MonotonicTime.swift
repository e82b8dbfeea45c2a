/// Durations in the engine's nanosecond time base (the engine reads time from its
/// `MonotonicClock`: `SystemClock` on a node, a test's `EmbeddedClock` in the embedded engine).
extension UInt64 {
    static func milliseconds(_ value: UInt64) -> UInt64 { value &* 1_000_000 }
    static func seconds(_ value: Double) -> UInt64 { UInt64(value * 1_000_000_000) }
}
