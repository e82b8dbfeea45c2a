import Histogram

/// End-to-end latency samples of every viewer on one worker (worker thread only): the whole
/// run and the current interval, for the report's percentiles and its timeline. Microseconds,
/// 1 µs to 60 s at three significant digits (HdrHistogram: fixed memory, no allocation per
/// sample).
final class FleetLatency {
    static func makeHistogram() -> Histogram<UInt64> {
        Histogram(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    }

    private(set) var total = makeHistogram()
    private var interval = makeHistogram()
    /// Samples outside the trackable range (clock steps, or a capture time from the future).
    private(set) var outOfRange = 0

    /// Records one packet's latency.
    func record(microseconds: UInt64) {
        guard microseconds <= 60_000_000 else {
            outOfRange &+= 1
            return
        }
        _ = total.record(max(microseconds, 1))
        _ = interval.record(max(microseconds, 1))
    }

    /// The interval's samples since the last call, and a fresh interval.
    func takeInterval() -> Histogram<UInt64> {
        defer { interval.reset() }
        return interval
    }
}
