import MeshCluster
import Testing

/// The GCRA arithmetic (ITU-T I.371 virtual scheduling) behind the rate limits, and the
/// topology's rate grammar. Times are microseconds passed in, never read from a clock.
@Suite struct GCRATests {
    private let tenPerSecondBurstThree = RateLimit(requests: 10, periodSeconds: 1, burst: 3)

    /// Runs requests at the given times through one key, as the buckets do.
    private func verdicts(at times: [Int64], limit: RateLimit) -> [GCRA.Verdict] {
        var stored: Int64?
        return times.map { now in
            let verdict = GCRA.decide(stored: stored, now: now, limit: limit)
            if case .allowed(let tat) = verdict { stored = tat }
            return verdict
        }
    }

    @Test func aBurstPassesThenOnePerInterval() {
        // 10/s: one request every 100,000 µs; three may come at once.
        let now: Int64 = 5_000_000
        let results = verdicts(at: [now, now, now, now], limit: tenPerSecondBurstThree)
        #expect(
            results == [
                .allowed(tat: now + 100_000), .allowed(tat: now + 200_000), .allowed(tat: now + 300_000),
                .limited(retryAfterMicroseconds: 100_000),
            ])
    }

    @Test func aRefusedRequestIsAllowedExactlyWhenItsWaitIsOver() {
        let now: Int64 = 5_000_000
        let results = verdicts(at: [now, now, now, now + 99_999, now + 100_000], limit: tenPerSecondBurstThree)
        #expect(results[3] == .limited(retryAfterMicroseconds: 1))
        #expect(results[4] == .allowed(tat: now + 400_000))
    }

    @Test func aQuietSpellRefillsTheBurstButNoMore() {
        let now: Int64 = 5_000_000
        // A stored TAT long past counts as none: the burst is whole again, not larger.
        let later = now + 60_000_000
        let results = verdicts(at: [now, now, now, later, later, later, later], limit: tenPerSecondBurstThree)
        #expect(results.suffix(4).map { if case .allowed = $0 { true } else { false } } == [true, true, true, false])
    }

    @Test func retryAfterIsWholeSecondsRoundedUpAndNeverZero() {
        #expect(GCRA.retryAfterSeconds(microseconds: 1) == 1)
        #expect(GCRA.retryAfterSeconds(microseconds: 1_000_000) == 1)
        #expect(GCRA.retryAfterSeconds(microseconds: 1_000_001) == 2)
        #expect(GCRA.retryAfterSeconds(microseconds: 0) == 1)
        #expect(GCRA.retryAfterSeconds(microseconds: 3_600_000_000) == 3600)
    }

    @Test func theRateGrammar() {
        #expect(RateLimit(text: "10/s burst 20") == RateLimit(requests: 10, periodSeconds: 1, burst: 20))
        #expect(RateLimit(text: "600/min") == RateLimit(requests: 600, periodSeconds: 60, burst: 600))
        #expect(RateLimit(text: "5/h burst 1") == RateLimit(requests: 5, periodSeconds: 3600, burst: 1))
        for bad in [
            "", "10", "10/s burst", "0/s", "-1/s", "10/day", "ten/s", "10/s burst 0", "10/s bursts 5",
            "10/s burst 20 extra", "1000001/s", "10/s burst ２",
        ] {
            #expect(RateLimit(text: bad) == nil, "\(bad)")
        }
        #expect(RateLimit(requests: 10, periodSeconds: 1, burst: 20).description == "10/s burst 20")
        // The fastest rate written (a million a second) is one microsecond apart.
        #expect(RateLimit(requests: 1_000_000, periodSeconds: 1, burst: 1).intervalMicroseconds == 1)
    }
}
