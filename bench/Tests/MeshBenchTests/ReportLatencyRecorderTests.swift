import Testing

@testable import MeshBench

@Suite("LatencyRecorder")
struct ReportLatencyRecorderTests {
    /// Exact nearest-rank percentile of 1…n µs is ceil(p/100 · n) µs.
    func close(_ measured: Double, _ exactMicroseconds: Double) -> Bool {
        abs(measured * 1000 - exactMicroseconds) <= exactMicroseconds * 0.001
    }

    @Test("percentiles of the uniform values 1…100000 µs are within HdrHistogram's 0.1 % of the exact ones")
    func uniform() {
        var recorder = LatencyRecorder()
        for value in Int64(1)...100_000 { recorder.record(microseconds: value) }
        let figures = recorder.percentiles
        #expect(figures.count == 100_000)
        #expect(close(figures.p50, 50_000) && close(figures.p90, 90_000) && close(figures.p95, 95_000))
        #expect(close(figures.p99, 99_000) && close(figures.max, 100_000))
    }

    @Test("merging two halves gives the same percentiles as recording everything in one")
    func merge() {
        var odd = LatencyRecorder()
        var even = LatencyRecorder()
        var all = LatencyRecorder()
        for value in Int64(1)...20_000 {
            if value % 2 == 0 { even.record(microseconds: value) } else { odd.record(microseconds: value) }
            all.record(microseconds: value)
        }
        odd.merge(even)
        #expect(odd.percentiles == all.percentiles)
    }

    @Test("a skewed distribution: 99 fast values and one slow one put p99 fast and max slow; empty gives zeros")
    func skewed() {
        var recorder = LatencyRecorder()
        for _ in 0..<99 { recorder.record(milliseconds: 10) }
        recorder.record(milliseconds: 2000)
        let figures = recorder.percentiles
        #expect(close(figures.p99, 10_000) && close(figures.max, 2_000_000))
        #expect(LatencyRecorder().percentiles == .empty)
    }
}
