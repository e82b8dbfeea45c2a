import Foundation
import Testing

@testable import MeshBench

/// The recording capacity search (issue 14: the streams one core records within the limits):
/// what fails a trial, which trial is the result, and the ladder both searches climb.
@Suite("recording capacity")
struct RecordingCapacityTests {
    private func figures(
        streams: Int, cpu: Double, writes: [Double] = Array(repeating: 0.002, count: 20), gaps: Int = 0,
        droppedFrames: Int = 0
    ) -> RecordingFigures {
        var result = RecordingFigures(
            node: "recorder-1", streams: streams, recordingsActiveMax: streams, cpuPercent: cpu,
            bytesReceived: 1_000_000 * streams, bytesWritten: 990_000 * streams, writeSecondsMaxima: writes,
            droppedFrames: droppedFrames, tapDrops: 0, gaps: gaps, failures: 0)
        result.noteWritten(recordings: streams)
        return result
    }

    @Test("within every limit a trial passes; gaps, write p99 and CPU each fail it; early frames dropped do not")
    func limits() {
        let limits = RecordingLimits(writeP99Ms: 50, cpuPercent: 80)
        #expect(limits.failures(of: figures(streams: 40, cpu: 30)).isEmpty)
        #expect(limits.failures(of: figures(streams: 40, cpu: 30, gaps: 2)) == ["2 gaps"])
        #expect(limits.failures(of: figures(streams: 40, cpu: 30, droppedFrames: 5)).isEmpty)
        // Twenty seconds, one slow: nearest-rank p99 of 20 values is the largest.
        let slow = Array(repeating: 0.002, count: 19) + [0.060]
        #expect(limits.failures(of: figures(streams: 40, cpu: 30, writes: slow)) == ["write p99 60 ms over 50 ms"])
        #expect(limits.failures(of: figures(streams: 40, cpu: 85)) == ["recorder CPU 85 % over 80 %"])
        // RecordingFigures' own limits still count: a stream that wrote nothing fails the trial.
        var partial = figures(streams: 60, cpu: 30)
        partial.noteWritten(recordings: 31)
        #expect(limits.failures(of: partial).contains("31 of 60 recordings wrote a segment"))
    }

    @Test("the result is the largest passing trial, with its CPU per stream and streams per core")
    func result() {
        let limits = RecordingLimits()
        let trials = [(20, 10.0), (40, 24.0), (60, 90.0)].map { streams, cpu in
            let measured = figures(streams: streams, cpu: cpu)
            let failures = limits.failures(of: measured)
            return RecordingCapacityTrial(
                streams: streams, passed: failures.isEmpty, figures: measured, failures: failures)
        }
        let result = RecordingCapacityResult(node: "recorder-1", workers: 1, limits: limits, trials: trials)
        #expect(result.largestPassing == 40)
        #expect(result.cpuPercentPerStream == 0.6)
        #expect(result.streamsPerCore.map { abs($0 - 100 / 0.6) < 1e-9 } == true)
        #expect(result.writtenPerReceived == 0.99)
        #expect(result.summary[0].hasPrefix("rec-capacity: 40 streams recorded on recorder-1"))
        #expect(result.html.contains("<td class=\"fail\">fail</td>"))
        let none = RecordingCapacityResult(node: "recorder-1", workers: 1, limits: limits, trials: [trials[2]])
        #expect(none.largestPassing == 0 && none.streamsPerCore == nil)
    }

    @Test("the ladder climbs by step from start and stops at the first failing rung or past max")
    func ladder() async throws {
        var plan = CapacityPlan()
        plan.start = 20
        plan.step = 20
        plan.max = 100
        var tried: [Int] = []
        let report = SampleReports.report()
        let stopped = try await CapacityLadder(plan: plan).climb { load in
            tried.append(load)
            return (report, load < 60)
        }
        #expect(tried == [20, 40, 60] && stopped.best != nil && stopped.last != nil)
        tried = []
        _ = try await CapacityLadder(plan: plan).climb { load in
            tried.append(load)
            return (report, true)
        }
        #expect(tried == [20, 40, 60, 80, 100])
    }
}
