import Testing

@testable import MeshBench

@Suite("report renderers")
struct ReportRenderingTests {
    @Test("the HTML report holds the five charts as inline SVG and names no external resource")
    func htmlSelfContained() {
        let html = HTMLReport.render(SampleReports.report())
        #expect(html.components(separatedBy: "<svg").count - 1 == 5)
        for title in [
            "Join time to first packet", "Latency over time", "CPU per node", "Resident memory per node",
            "Loss after retransmission",
        ] {
            #expect(html.contains("<title>\(title)</title>"))
        }
        #expect(!html.contains("<script") && !html.contains("<link") && !html.contains("src="))
        #expect(!html.contains("http"))
    }

    @Test("text from the report is escaped, so a scenario name cannot inject markup")
    func htmlEscapes() {
        var report = SampleReports.report()
        report.scenario = "<img src=x>"
        #expect(!HTMLReport.render(report).contains("<img"))
    }

    @Test("the histogram draws one bar per non-empty bin; its counts add up to the samples")
    func histogramBars() {
        let svg = SVGCharts.histogram(title: "t", xLabel: "ms", values: [1, 1, 2, 10], bins: 3)
        let titles = svg.components(separatedBy: "</title></rect>").dropLast().compactMap {
            $0.split(separator: ">").last
        }
        #expect(titles.compactMap { Int($0) }.reduce(0, +) == 4)
        #expect(svg.components(separatedBy: "<rect").count - 1 == 2)
    }

    @Test("the summary is short and carries the headline figures")
    func summary() {
        let text = TextSummary.render(SampleReports.report(connected: 97))
        #expect(text.split(separator: "\n").count <= 16)
        #expect(text.contains("97/100 connected") && text.contains("ice_timeout 3"))
        #expect(text.contains("p99 100"))
    }

    @Test("the progress line formats the numbers it is given")
    func progress() {
        let line = ProgressLine.render(
            elapsedSeconds: 12.4, viewersConnected: 180, viewersTarget: 200, packetsPerSecond: 21_400.4,
            lossPercent: 0.123, latencyP50Ms: 18.04, latencyP99Ms: 72.5)
        #expect(line == "  12 s  viewers 180/200  packets/s 21400  loss 0.12 %  latency p50 18 / p99 72.5 ms")
    }
}
