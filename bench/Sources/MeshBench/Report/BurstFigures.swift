/// What the steady viewers received while a join burst ran (``JoinBurst``).
struct BurstFigures: Codable, Sendable, Equatable {
    /// One arrival second of the burst's window.
    struct Second: Codable, Sendable, Equatable {
        /// Seconds since the burst started (the second `[t, t + 1)`).
        var t: Double
        /// Packets the steady viewers received in it.
        var packets: Int
        /// Their share of the steady rate, in percent.
        var percent: Double
        /// meshbench's own worker stalled in it, so its count may belong to the second before:
        /// shown, not judged.
        var late: Bool?
    }

    /// Viewers watching before the burst.
    var steadyViewers: Int
    /// Viewers that joined in the burst.
    var joined: Int
    /// How fast they were to join, and how fast meshbench got them in (their WHEP exchanges
    /// are sequential; `nil` for a burst of one second or less).
    var perSecond: Int
    var achievedPerSecond: Double?
    /// The steady viewers' median packets per second before the burst.
    var steadyPacketsPerSecond: Double
    /// The lowest second of the window against that, in percent; `nil` when every second was late.
    var lowestPercent: Double?
    /// Seconds not judged because meshbench stalled in them.
    var lateSeconds: Int
    /// The steady viewers' latency p99 during the window.
    var latencyP99Ms: Double
    /// The limits the burst was judged by.
    var minimumRatePercent: Double
    var latencyLimitMs: Double
    /// Whether both held.
    var passed: Bool
    /// The window second by second.
    var seconds: [Second]

    /// One line for the text summary.
    var summary: String {
        let lowest = lowestPercent.map { "\(FigureFormat.number($0, digits: 0)) %" } ?? "-"
        let late = lateSeconds > 0 ? ", \(lateSeconds) s late (meshbench stalled, not judged)" : ""
        let achieved = achievedPerSecond.map { " (\(FigureFormat.number($0, digits: 0))/s achieved)" } ?? ""
        return "\(joined) joined at \(perSecond)/s\(achieved) beside \(steadyViewers) watching: their lowest second "
            + "\(lowest) of \(FigureFormat.number(steadyPacketsPerSecond, digits: 0)) packets/s "
            + "(limit \(FigureFormat.number(minimumRatePercent, digits: 0)) %), latency p99 "
            + "\(FigureFormat.number(latencyP99Ms)) ms (limit \(FigureFormat.number(latencyLimitMs, digits: 0)) ms)"
            + late + (passed ? "" : ": FAILED")
    }
}
