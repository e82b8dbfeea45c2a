import Foundation
import Testing

@testable import MeshBench

/// Viewer tallies made up for the fold tests: varied joins, loss, layers, freezes, failures
/// and leaves, reproducible from the index.
enum SampleTallies {
    static let ms: UInt64 = 1_000_000
    static let end: UInt64 = 10_000 * ms

    static func stream(_ index: Int, scale: Int) -> ViewerTally.Stream {
        var stream = ViewerTally.Stream()
        stream.packets = 100 * scale + index
        stream.bytes = stream.packets * 1000
        stream.expected = stream.packets + index % 7
        stream.lostBeforeRetransmission = index % 5
        stream.lostAfterRetransmission = index % 3
        stream.recovered = index % 4
        stream.jitterMilliseconds = Double(index % 17) * 0.37
        return stream
    }

    /// Viewer `index`: every ninth failed before media, every fourth left at some point.
    static func tally(_ index: Int) -> ViewerTally {
        let posted = UInt64(index) * 10 * ms
        let failed = index % 9 == 4
        let first: UInt64? = failed ? nil : posted + UInt64(50 + (index * 37) % 400) * ms
        return ViewerTally(
            index: index, postedAt: posted, connectedAt: first.map { $0 - 10 * ms }, firstRTPAt: first,
            firstKeyframeAt: first.map { $0 + UInt64(index % 13) * 33 * ms }, audio: stream(index, scale: 1),
            video: failed ? ViewerTally.Stream() : stream(index, scale: 9), framesCompleted: 30 * index,
            freezeCount: index % 6 == 0 ? 1 : 0, frozenNanoseconds: index % 6 == 0 ? UInt64(index) * ms : 0,
            longestFreezeNanoseconds: index % 6 == 0 ? UInt64(index) * ms : 0,
            bytesByResolution: failed ? [:] : [index % 2 == 0 ? "1280x720" : "640x360": 1000 * index],
            nacksSent: index % 4, nackedPackets: index % 5, plisSent: index % 2, dropped: 0,
            failure: failed ? (index % 2 == 0 ? "POST answered 503" : "ICE timed out") : nil,
            leftAt: index % 4 == 1 && !failed ? posted + 5_000 * ms : nil)
    }

    static let scenario = Scenario(
        name: "fold", target: ScenarioTarget(source: .url("http://127.0.0.1:8080")), durationSeconds: 10,
        publishers: PublisherPlan(), viewers: ViewerPlan(), churn: ChurnPlan(), faults: [], limits: PassCriteria(),
        capacity: CapacityPlan())

    static func report(_ totals: ViewerTotals, requested: Int) -> RunReport {
        var report = RunReportBuilder(
            scenario: scenario, target: "meshcast", startedAt: Date(timeIntervalSince1970: 0),
            requested: requested, viewers: totals, latency: LatencyRecorder(), publishers: [], nodes: [],
            timeline: []
        ).report
        report.build = ""
        return report
    }
}

@Suite("viewers folded as they finish")
struct ViewerTotalsTests {
    let tallies = (0..<300).map(SampleTallies.tally)

    @Test("folding viewers as they leave gives the same report as keeping every viewer to the end")
    func foldMatchesKeeping() {
        let kept = ViewerTotals().adding(tallies, endedAt: SampleTallies.end)
        // The viewers that left are folded at once, in the order they left; the rest at the end.
        var folded = ViewerTotals()
        for tally in tallies.filter({ $0.leftAt != nil }).reversed() {
            folded.add(tally, endedAt: tally.leftAt ?? 0)
        }
        folded = folded.adding(tallies.filter { $0.leftAt == nil }, endedAt: SampleTallies.end)
        var a = SampleTallies.report(kept, requested: 300)
        var b = SampleTallies.report(folded, requested: 300)
        #expect(a.joinSamplesMs.sorted() == b.joinSamplesMs.sorted())
        (a.joinSamplesMs, b.joinSamplesMs) = ([], [])
        #expect(a == b)
    }

    @Test("the fold reports what a sum over every tally reports: counts, sums and the same percentiles")
    func foldMatchesTheSums() {
        let report = SampleTallies.report(ViewerTotals().adding(tallies, endedAt: SampleTallies.end), requested: 300)
        let watching = tallies.filter { $0.firstRTPAt != nil }
        #expect(report.viewers.connected == watching.count)
        #expect(report.viewers.failed == 300 - watching.count)
        #expect(report.viewers.failureReasons.values.reduce(0, +) == 300 - watching.count)
        #expect(report.packetsReceived == tallies.reduce(0) { $0 + $1.packets })
        #expect(report.loss.packetsExpected == tallies.reduce(0) { $0 + $1.audio.expected + $1.video.expected })
        #expect(
            report.loss.lostAfterRetransmission
                == tallies.reduce(0) { $0 + $1.audio.lostAfterRetransmission + $1.video.lostAfterRetransmission })
        #expect(report.nacksSent == tallies.reduce(0) { $0 + $1.nacksSent })
        #expect(report.retransmissionsReceived == tallies.reduce(0) { $0 + $1.audio.recovered + $1.video.recovered })
        #expect(report.frozen.count == tallies.reduce(0) { $0 + $1.freezeCount })
        var joins = LatencyRecorder()
        var jitter = LatencyRecorder()
        for tally in watching {
            joins.record(milliseconds: Double(tally.joinTime ?? 0) / 1e6)
            if tally.video.packets > 0 { jitter.record(milliseconds: tally.video.jitterMilliseconds) }
        }
        #expect(report.joinMs.toFirstPacket == joins.percentiles)
        #expect(report.jitterMs == jitter.percentiles)
        #expect(report.joinSamplesMs.count == watching.count)
        let bytes = tallies.reduce(0) { $0 + $1.bytesByResolution.values.reduce(0, +) }
        let seconds = watching.reduce(0.0) { total, tally in
            total + Double((tally.leftAt ?? SampleTallies.end) - (tally.firstRTPAt ?? 0)) / 1e9
        }
        let kbps = report.bitrateKbpsByLayer.values.reduce(0, +)
        #expect(abs(kbps - Double(bytes) * 8 / 1000 / seconds) < 1e-6 * kbps)
    }

    @Test("past the sample limit the chart keeps a bounded sample while the percentiles still count every join")
    func boundedSamples() {
        var totals = ViewerTotals()
        for index in 0..<(ViewerTotals.joinSampleLimit + 5000) {
            var tally = SampleTallies.tally(index * 9 + 1)
            tally = ViewerTally(
                index: index, postedAt: 0, connectedAt: nil, firstRTPAt: UInt64(index % 1000 + 1) * SampleTallies.ms,
                firstKeyframeAt: nil, audio: tally.audio, video: tally.video, framesCompleted: 0, freezeCount: 0,
                frozenNanoseconds: 0, longestFreezeNanoseconds: 0, bytesByResolution: [:], nacksSent: 0,
                nackedPackets: 0, plisSent: 0, dropped: 0, failure: nil, leftAt: SampleTallies.end)
            totals.add(tally, endedAt: SampleTallies.end)
        }
        #expect(totals.joinSamples.count == ViewerTotals.joinSampleLimit)
        #expect(totals.joins.count == ViewerTotals.joinSampleLimit + 5000)
        #expect(totals.joinSamples.allSatisfy { $0 >= 1 && $0 <= 1000 })
    }

    @Test("failure reasons stay bounded: distinct texts past the limit are counted together")
    func boundedReasons() {
        var totals = ViewerTotals()
        for index in 0..<(ViewerTotals.failureReasonLimit + 20) {
            let tally = ViewerTally(
                index: index, postedAt: 0, connectedAt: nil, firstRTPAt: nil, firstKeyframeAt: nil,
                audio: .init(), video: .init(), framesCompleted: 0, freezeCount: 0, frozenNanoseconds: 0,
                longestFreezeNanoseconds: 0, bytesByResolution: [:], nacksSent: 0, nackedPackets: 0, plisSent: 0,
                dropped: 0, failure: "reason \(index)", leftAt: nil)
            totals.add(tally, endedAt: 0)
        }
        #expect(totals.failureReasons.count == ViewerTotals.failureReasonLimit + 1)
        #expect(totals.failureReasons[ViewerTotals.otherFailures] == 20)
        #expect(totals.failureReasons.values.reduce(0, +) == ViewerTotals.failureReasonLimit + 20)
    }
}
