/// The schedule and the measurement of a join burst (``BurstPlan``), driven by the run's loop.
///
/// After the last initial viewer joined, the viewers settle for ``settleSeconds`` and are then
/// marked steady (``ViewerCrowd/markSteady()``): from then on their packets are also counted
/// apart, by arrival second. Their median rate over `steadySeconds` is the baseline; then the
/// burst's viewers join, and every second from the burst's start to ``trailingSeconds`` after
/// its last join is judged against the baseline, with the steady viewers' latency over the
/// same window.
struct JoinBurst {
    /// Seconds between the last initial viewer and the marking: their DTLS and first key frames.
    static let settleSeconds = 3.0
    /// Seconds after the last join that still belong to the burst.
    static let trailingSeconds = 5.0

    let plan: BurstPlan
    /// The steady viewers (all present when marked).
    private(set) var steadyViewers = 0
    /// The run's seconds at the marking and at the burst's start.
    private(set) var markedAt: Double?
    private(set) var startedAt: Double?
    /// Viewers joined in the burst so far, and when the last of them did.
    private(set) var joined = 0
    private var lastJoinAt: Double?
    private var seconds: [ArrivalSeconds.Second] = []
    private var latency = LatencyRecorder(highestMicroseconds: FleetLatency.highestMicroseconds)

    init(plan: BurstPlan) { self.plan = plan }

    /// Whether the steady viewers are to be marked now: `settleSeconds` after `rampEnded`.
    func shouldMark(elapsed: Double, rampEnded: Double?) -> Bool {
        guard markedAt == nil, let rampEnded else { return false }
        return elapsed >= rampEnded + Self.settleSeconds
    }

    /// Notes the marking of `viewers` at `elapsed`.
    mutating func marked(viewers: Int, at elapsed: Double) {
        markedAt = elapsed
        steadyViewers = viewers
    }

    /// How many burst viewers are due to join by `elapsed` and have not yet.
    func joinsDue(elapsed: Double) -> Int {
        guard let markedAt else { return 0 }
        let start = markedAt + Double(plan.steadySeconds)
        guard elapsed >= start else { return 0 }
        let due = min(plan.count, Int((elapsed - start) * Double(plan.perSecond)) + 1)
        return max(0, due - joined)
    }

    /// Notes one burst viewer joined (its WHEP exchange done) at `elapsed`.
    mutating func joinedOne(at elapsed: Double) {
        if startedAt == nil { startedAt = elapsed }
        joined += 1
        lastJoinAt = elapsed
    }

    /// Takes one snapshot's steady seconds, and its steady latency when taken in the window.
    mutating func add(_ snapshot: CrowdSnapshot, at elapsed: Double) {
        seconds += snapshot.steadySeconds
        if let startedAt, elapsed >= startedAt, elapsed <= windowEnd(from: startedAt) + 1 {
            latency.merge(snapshot.steadyLatencyInterval)
        }
    }

    /// Whether the run may end at `elapsed`: a burst that started is watched to the end of its
    /// window even when its joins took longer than planned.
    func allowsEnd(at elapsed: Double) -> Bool {
        guard let startedAt else { return true }
        return joined >= plan.count && elapsed >= windowEnd(from: startedAt) + 1
    }

    /// The planned joining time or the one it took (WHEP exchanges may be slower than
    /// planned), then ``trailingSeconds``.
    private func windowEnd(from start: Double) -> Double {
        let planned = start + (Double(plan.count) / Double(max(1, plan.perSecond))).rounded(.up)
        return max(planned, lastJoinAt ?? planned) + Self.trailingSeconds
    }

    /// The figures, `nil` when the burst never started (a run too short, or stopped early).
    var figures: BurstFigures? {
        guard let markedAt, let startedAt else { return nil }
        // Whole arrival seconds only: second i spans [i, i + 1) of the run.
        let before = seconds.filter { Double($0.index) >= markedAt.rounded(.up) && Double($0.index + 1) <= startedAt }
        let during = seconds.filter {
            Double($0.index + 1) > startedAt && Double($0.index) < windowEnd(from: startedAt)
        }
        guard !before.isEmpty, !during.isEmpty else { return nil }
        let steady = Self.median(before.map { Double($0.packets) })
        let points = during.map { second in
            BurstFigures.Second(
                t: Double(second.index) - startedAt.rounded(.down), packets: second.packets,
                percent: steady > 0 ? Double(second.packets) * 100 / steady : 0, late: second.late ? true : nil)
        }
        let judged = points.filter { $0.late != true }
        let lowest = judged.map(\.percent).min()
        let p99 = latency.percentiles.p99
        return BurstFigures(
            steadyViewers: steadyViewers, joined: joined, perSecond: plan.perSecond,
            achievedPerSecond: lastJoinAt.flatMap { $0 > startedAt ? Double(joined) / ($0 - startedAt) : nil },
            steadyPacketsPerSecond: steady, lowestPercent: lowest, lateSeconds: points.count - judged.count,
            latencyP99Ms: p99, minimumRatePercent: plan.minimumRatePercent, latencyLimitMs: plan.latencyP99Ms,
            passed: (lowest ?? 0) >= plan.minimumRatePercent && p99 <= plan.latencyP99Ms, seconds: points)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
