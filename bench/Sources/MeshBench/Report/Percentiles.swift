/// A distribution summed up: how many values and where its percentiles fall (milliseconds
/// where the field name says so).
struct Percentiles: Codable, Sendable, Equatable {
    /// How many values were recorded.
    var count: Int
    /// Median.
    var p50: Double
    /// 90th percentile.
    var p90: Double
    /// 95th percentile.
    var p95: Double
    /// 99th percentile.
    var p99: Double
    /// Largest value.
    var max: Double

    /// No values.
    static let empty = Percentiles(count: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0)
}
