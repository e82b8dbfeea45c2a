/// End-to-end latency samples of every viewer on one worker (worker thread only): the whole
/// run and the current interval, for the report's percentiles and its timeline. Microseconds,
/// 1 µs to 60 s at three significant digits, in fixed-range recorders: no allocation per sample.
final class FleetLatency {
    /// The largest latency recorded, in microseconds.
    static let highestMicroseconds: UInt64 = 60_000_000

    private(set) var total = LatencyRecorder(highestMicroseconds: highestMicroseconds)
    private var interval = LatencyRecorder(highestMicroseconds: highestMicroseconds)
    /// Samples outside the trackable range (clock steps, or a capture time from the future).
    private(set) var outOfRange = 0

    /// Records one packet's latency.
    func record(microseconds: UInt64) {
        guard microseconds <= Self.highestMicroseconds else {
            outOfRange &+= 1
            return
        }
        total.record(microseconds: Int64(max(microseconds, 1)))
        interval.record(microseconds: Int64(max(microseconds, 1)))
    }

    /// The interval's samples since the last call, and a fresh interval.
    func takeInterval() -> LatencyRecorder {
        defer { interval = LatencyRecorder(highestMicroseconds: Self.highestMicroseconds) }
        return interval
    }
}
