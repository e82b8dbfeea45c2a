import Testing

@testable import MeshBench

@Suite("meshbench's own memory and the cost of delivery")
struct LoadGeneratorTests {
    @Test("RSS slopes come from the steady part: per finished viewer and per hour")
    func slopes() throws {
        var memory = LoadGeneratorMemory()
        // Ramp: 10 s of growth the fit leaves out; then 10 viewers leave per second and RSS
        // grows 1 MiB per 100 s: 36 MB per hour, 1,024 KB per 1,000 finished viewers.
        for t in 0..<10 { memory.record(at: Double(t), residentBytes: 50_000_000 + t * 3_000_000, viewersFinished: 0) }
        memory.steadyFrom = 10
        for t in 10...110 {
            let steady = Double(t - 10)
            memory.record(
                at: Double(t), residentBytes: 80 * 1_048_576 + Int(steady * 1_048_576 / 100),
                viewersFinished: (t - 10) * 10)
        }
        let figures = try #require(memory.figures)
        #expect(abs((figures.rssMbPerHour ?? 0) - 36) < 1e-4)
        #expect(abs((figures.rssKbPerFinishedViewer ?? 0) - 1.024) < 1e-6)
        #expect(figures.viewersFinished == 1000 && figures.rssMbLast == 81 && figures.samples.count == 111)
    }

    @Test("a warm-up after the joins (arenas and buffers growing once) is not read as growth per hour")
    func warmUp() throws {
        var memory = LoadGeneratorMemory()
        memory.steadyFrom = 0
        for t in 0..<100 {
            memory.record(at: Double(t), residentBytes: (100 + min(t, 10) * 3) * 1_048_576, viewersFinished: t * 10)
        }
        let figures = try #require(memory.figures)
        #expect(figures.fitFromSeconds == 49.5)
        #expect(figures.rssMbPerHour == 0 && figures.rssKbPerFinishedViewer == 0)
        #expect(figures.rssMbFirst == 100 && figures.rssMbMax == 130)
    }

    @Test("no churn gives no per-viewer slope; a flat line gives zero; one sample gives none")
    func degenerate() throws {
        var memory = LoadGeneratorMemory()
        memory.steadyFrom = 0
        for t in 0..<5 { memory.record(at: Double(t), residentBytes: 1_048_576, viewersFinished: 0) }
        let figures = try #require(memory.figures)
        #expect(figures.rssKbPerFinishedViewer == nil && figures.rssMbPerHour == 0)
        #expect(LoadGeneratorMemory.slope([(x: 1, y: 2)]) == nil)
        #expect(LoadGeneratorMemory().figures == nil)
    }

    @Test("total CPU per delivered packet counts the server and its feeder")
    func delivery() {
        let figures = DeliveryFigures(
            feed: .plainRTP, serverCpuSeconds: 3, feederCpuSeconds: 1, packetsDelivered: 1_000_000)
        #expect(figures.serverCpuUsPerDeliveredPacket == 3 && figures.totalCpuUsPerDeliveredPacket == 4)
        #expect(figures.feed == "plain_rtp" && figures.feedDescription.contains("plain RTP"))
        #expect(
            DeliveryFigures(feed: .webrtc, serverCpuSeconds: 1, feederCpuSeconds: nil, packetsDelivered: 0)
                .totalCpuUsPerDeliveredPacket == nil)
    }

    @Test("a report with the new figures survives JSON, a late point included")
    func json() throws {
        var report = SampleReports.report()
        report.timeline[3].late = true
        var memory = LoadGeneratorMemory()
        memory.record(at: 0, residentBytes: 1_048_576, viewersFinished: 0)
        report.loadGenerator = memory.figures
        report.delivery = DeliveryFigures(feed: .webrtc, serverCpuSeconds: 1, feederCpuSeconds: 0, packetsDelivered: 5)
        let text = String(decoding: try ReportJSON.encode(report), as: UTF8.self)
        #expect(text.contains("\"rss_kb_per_finished_viewer\"") == false)  // nil slopes are left out
        #expect(text.contains("\"total_cpu_us_per_delivered_packet\"") && text.contains("\"late\" : true"))
        #expect(try ReportJSON.decode(try ReportJSON.encode(report)) == report)
    }
}
