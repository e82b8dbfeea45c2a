import Foundation
import Testing

@testable import MeshBench

#if canImport(Glibc)
    import Glibc
#endif

/// RSS per viewer (issue 12, item 6): the slope of a node's resident memory against its
/// viewers, in a run (samples) and across a capacity search (trials).
@Suite("node RSS per viewer")
struct NodeMemoryTests {
    @Test("the sampler fits RSS against viewers: a process touching 1 MiB per viewer shows about 1024 KB")
    func samplerSlopeOnARealProcess() throws {
        // This test process stands in for a node: /proc/self is read as a node's /proc/PID is.
        let node = MeshUnderTest.Node(id: "self", role: "test", base: "", pid: getpid())
        var sampler = NodeSampler(nodes: [node])
        var held: [UnsafeMutableRawPointer] = []
        let perViewer = 1 << 20
        defer { held.forEach { _ = munmap($0, perViewer) } }
        for viewers in stride(from: 0, through: 32, by: 8) {
            while held.count < viewers {
                // Fresh pages of our own, written so they are resident: malloc could hand back
                // heap memory an earlier test freed (glibc raises its mmap threshold after such
                // frees), which is resident already and would not grow RSS.
                let block = try #require(
                    mmap(nil, perViewer, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
                try #require(block != MAP_FAILED)
                memset(block, 0x5A, perViewer)
                held.append(block)
            }
            sampler.sample(at: Double(viewers), viewers: viewers)
        }
        let figures = sampler.figures(forwarded: [:])
        let slope = try #require(figures.first?.rssKbPerViewer)
        // The test runner's other threads allocate too; 1024 KB per viewer is far above that noise.
        #expect(slope > 960 && slope < 1200)
        #expect(figures.first?.samples.last?.viewers == 32)
    }

    @Test("no change in viewers gives no slope")
    func flatViewerCount() {
        let node = MeshUnderTest.Node(id: "self", role: "test", base: "", pid: getpid())
        var sampler = NodeSampler(nodes: [node])
        for second in 0..<3 { sampler.sample(at: Double(second), viewers: 10) }
        #expect(sampler.figures(forwarded: [:]).first?.rssKbPerViewer == nil)
    }

    @Test("capacity fits each trial's peak RSS against its viewers; trials without a reading are left out")
    func capacitySlope() throws {
        // 70 MB plus 64 KB (1/16 MB) per viewer: the target, exactly.
        let trials = [100, 200, 300].map {
            CapacityTrial(
                viewers: $0, passed: true, lossAfterPercent: 0, latencyP99Ms: 50, cpuPercent: 50,
                rssMbMax: 70 + Double($0) / 16)
        }
        let unread = CapacityTrial(viewers: 400, passed: false, lossAfterPercent: 5, latencyP99Ms: 900, cpuPercent: 99)
        let slope = try #require(CapacityCommand.rssKbPerViewer(trials + [unread]))
        #expect(abs(slope - 64) < 1e-9)
        #expect(CapacityCommand.rssKbPerViewer(Array(trials.prefix(1))) == nil)
    }

    @Test("the summary, the HTML and the JSON carry the per-viewer figures")
    func rendered() throws {
        let report = SampleReports.report()
        let text = TextSummary.render(report)
        #expect(text.contains("RSS max 61.5 MB (62.5 KB per viewer)"))
        #expect(text.contains("RSS 62.72 KB per viewer across the trials"))
        let html = HTMLReport.render(report)
        #expect(html.contains("<th>RSS KB/viewer</th>") && html.contains("<td>62.5</td>"))
        #expect(html.contains("62.72 KB per viewer across the trials"))
        let json = String(decoding: try ReportJSON.encode(report), as: UTF8.self)
        #expect(json.contains("\"rss_kb_per_viewer\" : 62.5"))
        #expect(json.contains("\"rss_mb_max\" : 67.125"))
    }
}
