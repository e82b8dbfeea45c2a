import Histogram

/// Records durations in microseconds into an HdrHistogram (3 significant digits, so a
/// percentile is within 0.1 % of the true value) and sums them up as `Percentiles` in
/// milliseconds. Recorders of several viewers or workers merge without losing precision.
struct LatencyRecorder: Sendable {
    private var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)

    /// An empty recorder; the histogram grows to whatever values arrive.
    init() {
        histogram.autoResize = true
    }

    /// An empty recorder of 1 µs up to `highestMicroseconds`, allocated once: recording never
    /// allocates (the viewers' per-packet path), and a value beyond the range is not recorded.
    init(highestMicroseconds: UInt64) {
        histogram = Histogram(
            lowestDiscernibleValue: 1, highestTrackableValue: highestMicroseconds,
            numberOfSignificantValueDigits: .three)
    }

    /// How many values were recorded.
    var count: Int { Int(histogram.totalCount) }

    /// Records one duration; negative durations (clock skew between hosts) count as zero.
    mutating func record(microseconds: Int64) {
        _ = histogram.record(UInt64(Swift.max(0, microseconds)))
    }

    /// Records one duration given in milliseconds.
    mutating func record(milliseconds: Double) {
        guard milliseconds.isFinite else { return }
        record(microseconds: Int64((Swift.max(0, Swift.min(milliseconds, 1e12)) * 1000).rounded()))
    }

    /// Adds another recorder's values.
    mutating func merge(_ other: LatencyRecorder) {
        histogram.add(other.histogram)
    }

    /// The distribution in milliseconds; `Percentiles.empty` when nothing was recorded.
    var percentiles: Percentiles {
        guard histogram.totalCount > 0 else { return .empty }
        func ms(_ percentile: Double) -> Double { Double(histogram.valueAtPercentile(percentile)) / 1000 }
        return Percentiles(
            count: count, p50: ms(50), p90: ms(90), p95: ms(95), p99: ms(99),
            max: Double(histogram.max) / 1000)
    }
}
