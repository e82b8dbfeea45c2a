import Testing

@testable import MeshBench

@Suite("meshbench viewers report")
struct ViewersReportTests {
    @Test("nearest-rank percentiles: p50 and p95 of 1…100 are 50 and 95; empty input gives zeros")
    func nearestRank() {
        let figures = ViewersReport.Percentiles((1...100).map(Double.init).shuffled())
        #expect(figures.p50 == 50 && figures.p95 == 95 && figures.max == 100)
        let empty = ViewersReport.Percentiles([])
        #expect(empty.p50 == 0 && empty.max == 0)
    }
}
