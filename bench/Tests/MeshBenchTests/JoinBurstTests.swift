import Testing

@testable import MeshBench

/// The join burst's schedule and its verdict (issue 12, item 5): the steady viewers' median
/// rate before the burst is the baseline; each whole second of the window is judged against it.
@Suite("join burst")
struct JoinBurstTests {
    static let plan = BurstPlan(
        count: 4, perSecond: 2, steadySeconds: 4, minimumRatePercent: 90, latencyP99Ms: 100)

    /// A snapshot carrying the steady viewers' seconds `counts` (second index → packets).
    static func snapshot(_ counts: [(Int, Int)], late: Set<Int> = []) -> CrowdSnapshot {
        CrowdSnapshot(
            live: [], finished: ViewerTotals(), latencyInterval: LatencyRecorder(highestMicroseconds: 60_000_000),
            seconds: [],
            steadySeconds: counts.map { ArrivalSeconds.Second(index: $0.0, packets: $0.1, late: late.contains($0.0)) })
    }

    @Test("marks the steady viewers after the settling time, then joins at the planned rate")
    func schedule() {
        var burst = JoinBurst(plan: Self.plan)
        #expect(!burst.shouldMark(elapsed: 10, rampEnded: nil))
        #expect(!burst.shouldMark(elapsed: 12.9, rampEnded: 10))
        #expect(burst.shouldMark(elapsed: 13, rampEnded: 10))
        burst.marked(viewers: 300, at: 13)
        #expect(!burst.shouldMark(elapsed: 14, rampEnded: 10))
        #expect(burst.joinsDue(elapsed: 16.9) == 0)
        #expect(burst.joinsDue(elapsed: 17) == 1)
        burst.joinedOne(at: 17)
        #expect(burst.joinsDue(elapsed: 17.4) == 0)
        #expect(burst.joinsDue(elapsed: 18.6) == 3)  // two per second, at most the count
        for _ in 0..<3 { burst.joinedOne(at: 18.6) }
        #expect(burst.joinsDue(elapsed: 30) == 0)
        #expect(burst.joined == 4)
        // The run goes on to the end of the window: 2 s of joining and 5 after, from 17.
        #expect(!burst.allowsEnd(at: 24.5))
        #expect(burst.allowsEnd(at: 25))
    }

    @Test("a dip below 90 % of the steady median fails; a late second is shown but not judged")
    func verdict() throws {
        var burst = JoinBurst(plan: Self.plan)
        burst.marked(viewers: 300, at: 13.2)
        for _ in 0..<4 { burst.joinedOne(at: 17.5) }
        // Seconds 14…16 are the baseline (13 began before the marking); 17…24 the window (the
        // burst's two seconds and five after, from 17.5).
        burst.add(Self.snapshot([(13, 10), (14, 1000), (15, 1010), (16, 990)]), at: 17)
        burst.add(Self.snapshot([(17, 995), (18, 700), (19, 400), (20, 1000)], late: [19]), at: 21)
        burst.add(Self.snapshot([(21, 1000), (22, 1000), (23, 1000), (24, 1000)]), at: 25)
        let figures = try #require(burst.figures)
        #expect(figures.steadyViewers == 300 && figures.joined == 4)
        #expect(figures.steadyPacketsPerSecond == 1000)
        #expect(figures.seconds.map(\.t) == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(figures.lowestPercent == 70)
        #expect(figures.lateSeconds == 1)
        #expect(!figures.passed)
        #expect(figures.summary.hasSuffix(": FAILED"))
    }

    @Test("the burst's window must fit the run: a scenario too short for it is refused")
    func durationChecked() {
        let errors = scenarioErrors(
            """
            name: n
            target: {url: http://127.0.0.1:8080}
            duration_seconds: 10
            viewers: {count: 3}
            burst: {count: 250, per_second: 250, steady_seconds: 8}
            """)
        #expect(
            errors == [
                "5:8: burst: duration_seconds 10 is shorter than the burst needs after the ramp (17 s: settling, steady_seconds, joining, and 5 s after)"
            ])
    }
}
