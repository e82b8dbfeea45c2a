/// The run's per-second points. Packets per second come from arrival seconds
/// (``ArrivalSeconds``: the receive timestamps), so a run loop that samples late, or several
/// seconds at once after a stall, books each packet into the second it arrived in; a second
/// in which a viewer worker stalled is marked late. Loss and latency are the figures of the
/// sample that completed the second (shared when one sample completes several).
struct RunTimeline {
    private(set) var points: [TimelinePoint] = []
    private var previous = (expected: 0, lost: 0)

    /// Adds one point per second `snapshot` completed; returns the new points.
    @discardableResult
    mutating func add(_ snapshot: CrowdSnapshot) -> ArraySlice<TimelinePoint> {
        add(
            seconds: snapshot.seconds, expected: snapshot.expected, lost: snapshot.lostAfterRetransmission,
            watching: snapshot.watching, latency: snapshot.latencyInterval.percentiles)
    }

    /// Adds one point per arrival second; `expected` and `lost` are running totals (the loss of
    /// the interval since the previous call is theirs), `watching` and `latency` that sample's.
    @discardableResult
    mutating func add(
        seconds: [ArrivalSeconds.Second], expected: Int, lost: Int, watching: Int, latency: Percentiles
    ) -> ArraySlice<TimelinePoint> {
        guard !seconds.isEmpty else { return [] }
        let interval = (expected: expected - previous.expected, lost: lost - previous.lost)
        previous = (expected, lost)
        let lossPercent = interval.expected > 0 ? Double(max(0, interval.lost)) * 100 / Double(interval.expected) : 0
        let first = points.count
        for second in seconds {
            points.append(
                TimelinePoint(
                    t: Double(second.index + 1), viewersConnected: watching, packetsPerSecond: Double(second.packets),
                    lossPercent: lossPercent, latencyP50Ms: latency.p50, latencyP99Ms: latency.p99,
                    late: second.late ? true : nil))
        }
        return points[first...]
    }
}
