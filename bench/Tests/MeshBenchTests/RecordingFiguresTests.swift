import Foundation
import Testing

@testable import MeshBench

/// The recording benchmark's figures (issue 14's performance section: bytes written against
/// bytes received ≤ 1.02, no ring drops, CPU per recorded stream) and the storage count they
/// are made from.
@Suite("recording figures")
struct RecordingFiguresTests {
    private func figures(
        streams: Int = 20, active: Int = 20, cpu: Double = 40, received: Int = 1_000_000, written: Int = 990_000,
        writes: [Double] = [0.001, 0.002, 0.004], tapDrops: Int = 0, failures: Int = 0
    ) -> RecordingFigures {
        RecordingFigures(
            node: "recorder-1", streams: streams, recordingsActiveMax: active, cpuPercent: cpu, bytesReceived: received,
            bytesWritten: written, writeSecondsMaxima: writes, droppedFrames: 0, tapDrops: tapDrops, gaps: 0,
            failures: failures)
    }

    @Test("CPU per stream and streams per core follow from the recorder's CPU: 40 % for 20 streams is 2 % and 50")
    func perStream() {
        let result = figures()
        #expect(result.cpuPercentPerStream == 2)
        #expect(result.streamsPerCore == 50)
        #expect(result.writtenPerReceived == 0.99)
        #expect(result.writeMsPerSecondMax.max == 4 && result.writeMsPerSecondMax.p50 == 2)
        #expect(result.withinLimits && result.limitFailures.isEmpty)
    }

    @Test("each limit breaks on its own: ratio over 1.02, ring drops, a failed recording, a stream not recorded")
    func limits() {
        #expect(!figures(written: 1_030_000).withinLimits)
        #expect(figures(written: 1_020_000).withinLimits)
        #expect(figures(tapDrops: 3).limitFailures == ["3 packets dropped by the taps' rings"])
        #expect(!figures(failures: 1).withinLimits)
        #expect(figures(active: 19).limitFailures == ["19 of 20 streams recorded"])
        #expect(!figures(written: 0).withinLimits)
        #expect(!figures(writes: [0.001, 0.25]).withinLimits)
    }

    @Test("an active recording that wrote nothing breaks the limits: recordings written are counted on disk")
    func written() throws {
        var result = figures()
        result.noteWritten(recordings: 20)
        #expect(result.withinLimits && result.recordingsWritten == 20)
        result.noteWritten(recordings: 10)
        #expect(!result.withinLimits && result.limitFailures == ["10 of 20 recordings wrote a segment"])
        // 40 % over the 10 that wrote: 4 % each, 25 per core.
        #expect(result.cpuPercentPerStream == 4 && result.streamsPerCore == 25)
        let root = NSTemporaryDirectory() + "recording-written-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        for folder in ["a", "b", "c"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        #expect(FileManager.default.createFile(atPath: root + "/a/0-0.webm", contents: Data(count: 10)))
        #expect(FileManager.default.createFile(atPath: root + "/b/0-0.webm.part", contents: Data(count: 3)))
        #expect(FileManager.default.createFile(atPath: root + "/c/0-0.webm.part", contents: Data()))
        #expect(RecordingProbe.segmentFiles(in: root).recordings == ["a", "b"])
    }

    @Test("no CPU measured: no per-stream or per-core figure rather than infinity")
    func noCPU() {
        let result = figures(cpu: 0)
        #expect(result.cpuPercentPerStream == nil && result.streamsPerCore == nil)
        #expect(result.summary.joined().contains("CPU per stream unmeasured"))
    }

    @Test("the figures survive the report's JSON and show in the text and HTML summaries")
    func inReport() throws {
        var report = SampleReports.report()
        report.recording = figures()
        let decoded = try ReportJSON.decode(try ReportJSON.encode(report))
        #expect(decoded.recording == report.recording)
        #expect(TextSummary.render(report).contains("recording: recorder-1 20/20 streams"))
        #expect(HTMLReport.render(report).contains("<h2>Recording</h2>"))
    }

    @Test("storage bytes count segment files (.webm, .mkv, .part) at any depth, not the journal or joined files")
    func storageBytes() throws {
        let root = NSTemporaryDirectory() + "recording-figures-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/abc", withIntermediateDirectories: true)
        let files = [
            "abc/0-0.webm": 100, "abc/1-10000.webm.part": 30, "abc/2-20000.mkv": 7, "catalog-journal.jsonl": 1000,
            "abc/recording.webm": 500,
        ]
        for (name, size) in files {
            #expect(FileManager.default.createFile(atPath: root + "/" + name, contents: Data(count: size)))
        }
        #expect(RecordingProbe.segmentBytes(in: root) == 137)
        #expect(RecordingProbe.segmentBytes(in: root + "/missing") == 0)
    }
}
