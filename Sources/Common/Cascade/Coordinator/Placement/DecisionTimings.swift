/// Placement decision counts and the durations of the last 1024 decisions, for
/// `meshcast_placement_decision_seconds` (a Prometheus summary).
///
/// The window is a fixed ring allocated once, so timing a decision never allocates; quantiles
/// are computed only when `/metrics` is scraped.
struct DecisionTimings: Sendable {
    /// How many recent decisions the quantiles cover.
    static let window = 1024

    private var ring: [Double]
    private var next = 0
    private var filled = 0
    /// Every decision's duration added up, in seconds (the summary's `_sum`).
    private(set) var totalSeconds = 0.0
    /// Every decision timed (the summary's `_count`).
    private(set) var count: UInt64 = 0
    /// Decisions per verdict label (`here`, `redirect`, `unavailable`, `refused`).
    private(set) var verdicts: [String: UInt64] = [:]

    init() {
        ring = [Double](repeating: 0, count: Self.window)
    }

    /// Records one decision.
    mutating func record(seconds: Double, verdict: String) {
        ring[next] = seconds
        next = (next + 1) % Self.window
        filled = min(filled + 1, Self.window)
        totalSeconds += seconds
        count &+= 1
        verdicts[verdict, default: 0] &+= 1
    }

    /// The nearest-rank `q`-quantile (0 < q ≤ 1) of the window; nil before any decision.
    func quantile(_ q: Double) -> Double? {
        guard filled > 0 else { return nil }
        let sorted = ring[0..<filled].sorted()
        let rank = Int((q * Double(filled)).rounded(.up))
        return sorted[min(max(rank, 1), filled) - 1]
    }
}
