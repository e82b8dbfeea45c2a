/// Every figure the report needs from the viewers, summed: counts, histograms of join times
/// and jitter, bytes per layer, freezes, watch time. A viewer that leaves is folded in at once
/// and dropped (``ViewerCrowd``); the ones still watching are folded in at the end
/// (``RunReportBuilder``). The fold keeps what a report of every viewer's tally would show:
/// the same sums, and histograms fed the same values, so the same percentiles.
///
/// Its size does not grow with the viewers folded: join samples for the report's chart are
/// kept up to ``joinSampleLimit`` (then a uniform sample of them, by reservoir), and failure
/// reasons up to ``failureReasonLimit`` distinct texts (the rest are counted together).
struct ViewerTotals: Sendable {
    /// Join samples kept for the chart.
    static let joinSampleLimit = 10_000
    /// Distinct failure texts kept; later ones are counted under ``otherFailures``.
    static let failureReasonLimit = 50
    /// The reason the failures beyond ``failureReasonLimit`` distinct texts are counted under.
    static let otherFailures = "(other reasons)"

    /// Viewers folded in.
    private(set) var viewers = 0
    /// Those that received media.
    private(set) var watched = 0
    /// Why the others did not, with how many.
    private(set) var failureReasons: [String: Int] = [:]
    /// RTP packets received, retransmissions included.
    private(set) var packets = 0
    /// Audio and video packets expected, lost before and after retransmission, recovered.
    private(set) var expected = 0
    private(set) var lostBeforeRetransmission = 0
    private(set) var lostAfterRetransmission = 0
    private(set) var recovered = 0
    /// Feedback the viewers sent.
    private(set) var nacksSent = 0
    private(set) var plisSent = 0
    /// Video bytes per resolution.
    private(set) var bytesByLayer: [String: Int] = [:]
    /// Join to first packet and to first key frame (ms values, µs histograms).
    private(set) var joins = LatencyRecorder()
    private(set) var keyframeJoins = LatencyRecorder()
    /// Each watching viewer's last video jitter.
    private(set) var jitter = LatencyRecorder()
    /// Join times (ms) for the chart: all of them up to ``joinSampleLimit``.
    private(set) var joinSamples: [Double] = []
    /// Freezes: how many, their total and the longest (ns).
    private(set) var freezeCount = 0
    private(set) var frozenNanoseconds: UInt64 = 0
    private(set) var longestFreezeNanoseconds: UInt64 = 0
    /// Time viewers spent watching, first packet to leaving (or the end), ns.
    private(set) var watchNanoseconds: UInt64 = 0
    /// Joins seen (for the reservoir), and its generator's state.
    private var joinsSeen = 0
    private var random: UInt64 = 0x9E37_79B9_7F4A_7C15

    init() {}

    /// Folds in one viewer's final figures; `endedAt` (monotonic ns) ends a watch that has no
    /// `leftAt` (the viewer was still there).
    mutating func add(_ tally: ViewerTally, endedAt: UInt64) {
        viewers += 1
        packets += tally.packets
        expected += tally.video.expected + tally.audio.expected
        lostBeforeRetransmission += tally.video.lostBeforeRetransmission + tally.audio.lostBeforeRetransmission
        lostAfterRetransmission += tally.video.lostAfterRetransmission + tally.audio.lostAfterRetransmission
        recovered += tally.video.recovered + tally.audio.recovered
        nacksSent += tally.nacksSent
        plisSent += tally.plisSent
        for (layer, bytes) in tally.bytesByResolution { bytesByLayer[layer, default: 0] += bytes }
        freezeCount += tally.freezeCount
        frozenNanoseconds &+= tally.frozenNanoseconds
        longestFreezeNanoseconds = max(longestFreezeNanoseconds, tally.longestFreezeNanoseconds)
        guard let first = tally.firstRTPAt else {
            countFailure(RunReportBuilder.reason(tally.failure ?? "no media"))
            return
        }
        watched += 1
        let last = tally.leftAt ?? endedAt
        if last > first { watchNanoseconds &+= last - first }
        if let join = tally.joinTime { addJoin(Double(join) / 1e6) }
        if let join = tally.keyframeJoinTime { keyframeJoins.record(milliseconds: Double(join) / 1e6) }
        if tally.video.packets > 0 { jitter.record(milliseconds: tally.video.jitterMilliseconds) }
    }

    /// These totals with `live` viewers folded in, their watch ending at `endedAt`.
    func adding(_ live: [ViewerTally], endedAt: UInt64) -> ViewerTotals {
        var totals = self
        for tally in live { totals.add(tally, endedAt: endedAt) }
        return totals
    }

    private mutating func addJoin(_ milliseconds: Double) {
        joins.record(milliseconds: milliseconds)
        joinsSeen += 1
        if joinSamples.count < Self.joinSampleLimit {
            joinSamples.append(milliseconds)
            return
        }
        // Reservoir sampling (Vitter's algorithm R) with a fixed-seed xorshift, so a report
        // reads the same from the same run.
        random ^= random << 13
        random ^= random >> 7
        random ^= random << 17
        let slot = Int(random % UInt64(joinsSeen))
        if slot < Self.joinSampleLimit { joinSamples[slot] = milliseconds }
    }

    private mutating func countFailure(_ reason: String) {
        if failureReasons[reason] == nil, failureReasons.count >= Self.failureReasonLimit {
            failureReasons[Self.otherFailures, default: 0] += 1
        } else {
            failureReasons[reason, default: 0] += 1
        }
    }
}
