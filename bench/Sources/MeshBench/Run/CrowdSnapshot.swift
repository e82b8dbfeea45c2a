/// What a ``ViewerCrowd`` measured so far, taken once a second by the run and once at its end.
struct CrowdSnapshot: Sendable {
    /// The viewers still here.
    var live: [ViewerTally]
    /// The viewers that left, folded.
    var finished: ViewerTotals
    /// Latency samples since the previous snapshot, every worker merged.
    var latencyInterval: LatencyRecorder
    /// Packets per arrival second completed since the previous snapshot, every worker summed.
    var seconds: [ArrivalSeconds.Second]
    /// The same, of the viewers marked steady before a join burst only (empty before).
    var steadySeconds: [ArrivalSeconds.Second] = []
    /// Latency samples of the steady viewers since the previous snapshot.
    var steadyLatencyInterval = LatencyRecorder(highestMicroseconds: FleetLatency.highestMicroseconds)

    /// Viewers receiving media now.
    var watching: Int { live.filter(\.isWatching).count }
    /// Packets expected and still lost after retransmission so far, every viewer ever here.
    var expected: Int { live.reduce(finished.expected) { $0 + $1.video.expected + $1.audio.expected } }
    var lostAfterRetransmission: Int {
        live.reduce(finished.lostAfterRetransmission) {
            $0 + $1.video.lostAfterRetransmission + $1.audio.lostAfterRetransmission
        }
    }
}
