import Foundation
import MeshRecording
import MeshTestSupport
import Testing

/// Crash recovery: a `.part` cut at any byte (what `kill -9` or a power cut leaves) is closed
/// back to its last complete cluster; ffmpeg decodes the result without an error, and at most
/// the open cluster is lost. Garbage and truncated headers get errors, never traps.
@Suite struct MatroskaRecoveryTests {
    /// A 4 s VP8 + Opus `.part` (key frames every second, so about 1 s clusters) left
    /// unclosed; returns its bytes, the cluster positions mkvinfo sees once it is closed, and
    /// the writer's summary of the closed copy.
    private func unclosedSegment(
        in directory: String
    ) throws -> (part: [UInt8], clusters: [Int], times: [Double], duration: Int64) {
        try MediaTools.makeClips(in: directory, seconds: 4)
        let video = try ClipReaders.ivf("\(directory)/video.ivf")
        let audio = try ClipReaders.oggOpus("\(directory)/audio.ogg")
        let writer = try MatroskaSegmentWriter(
            path: "\(directory)/full.webm",
            tracks: [
                MatroskaTrack(number: 1, codec: .vp8(width: 320, height: 240)),
                MatroskaTrack(number: 2, codec: .opus(channels: audio.channels, preSkip: audio.preSkip)),
            ])
        try RecordingClips.write(video: video, audio: audio.frames, to: writer)
        try writer.flushCluster()
        let part = [UInt8](try Data(contentsOf: URL(fileURLWithPath: writer.partPath)))
        let summary = try writer.close()
        let clusters = try MediaTools.clusters(summary.path)
        return (part, clusters.map(\.position), clusters.map(\.seconds), summary.durationMilliseconds)
    }

    @Test func cutAnywhereRecoversToTheLastCompleteCluster() throws {
        let directory = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let segment = try unclosedSegment(in: directory)
        #expect(segment.clusters.count >= 4)
        let firstCluster = try #require(segment.clusters.first)
        var generator = SystemRandomNumberGenerator()
        // Cuts inside each cluster, exactly at a boundary, at the end, and at random points.
        var cuts = segment.clusters.dropFirst(2).map { $0 - 1 } + segment.clusters.dropFirst() + [segment.part.count]
        cuts += (0..<6).map { _ in Int.random(in: (segment.clusters[1] + 1)..<segment.part.count, using: &generator) }
        for cut in cuts {
            let partPath = "\(directory)/cut-\(cut).webm.part"
            try Data(segment.part[..<cut]).write(to: URL(fileURLWithPath: partPath))
            let recovered = try MatroskaRecovery.recover(partPath: partPath)
            // Kept: exactly up to the last cluster boundary at or before the cut.
            let boundaries = segment.clusters.dropFirst() + [segment.part.count]
            let expectedEnd = boundaries.filter { $0 <= cut }.max() ?? firstCluster
            #expect(recovered.keptBytes == expectedEnd, "cut at \(cut)")
            #expect(recovered.droppedBytes == cut - expectedEnd)
            #expect(recovered.summary.path == "\(directory)/cut-\(cut).webm")
            #expect(!FileManager.default.fileExists(atPath: partPath))
            #expect(try MediaTools.decodeErrors(recovered.summary.path) == "", "cut at \(cut)")
            let probe = try MediaTools.probe(recovered.summary.path)
            #expect(probe.streams.count == 2)
            // What is kept runs to where the first cluster not kept starts (the open one, which
            // is all that is lost), or to the end.
            let firstDropped = segment.clusters.firstIndex { $0 >= expectedEnd }
            let keptUntil = firstDropped.map { segment.times[$0] } ?? Double(segment.duration) / 1000
            let duration = try #require(Double(probe.format["duration"] ?? ""))
            #expect(abs(duration - keptUntil) <= 0.05, "cut at \(cut): \(duration) s kept of \(keptUntil) s")
            let info = try MediaTools.mkvinfo(recovered.summary.path)
            #expect(info.status == 0)
            #expect(info.stdout.contains("|+ Cues at"))
        }
    }

    @Test func aCloseInterruptedAfterItsCuesIsClosedAgain() throws {
        // A crash between writing Cues and the rename leaves a .part with Cues, a patched
        // SeekHead and Duration: recovery cuts at the Cues and writes them again.
        let directory = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let segment = try unclosedSegment(in: directory)
        let closed = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/full.webm"))
        try closed.write(to: URL(fileURLWithPath: "\(directory)/again.webm.part"))
        let recovered = try MatroskaRecovery.recover(partPath: "\(directory)/again.webm.part")
        #expect(recovered.keptBytes == segment.part.count)
        #expect(recovered.summary.bytes == closed.count)
        #expect(try Data(contentsOf: URL(fileURLWithPath: recovered.summary.path)) == closed)
    }

    @Test func headerOnlyAndGarbageAreErrors() throws {
        let directory = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let segment = try unclosedSegment(in: directory)
        let firstCluster = try #require(segment.clusters.first)
        var generator = SystemRandomNumberGenerator()
        let garbage = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let cases: [(String, [UInt8], MatroskaRecoveryError)] = [
            ("empty", [], .notEBML),
            ("garbage", [0x00] + garbage, .notEBML),
            ("half-ebml", Array(segment.part[..<10]), .headerIncomplete("EBML header")),
            ("header-only", Array(segment.part[..<firstCluster]), .noCompleteCluster),
            ("first-cluster-cut", Array(segment.part[..<(firstCluster + 100)]), .noCompleteCluster),
            (
                "not-webm",
                Array(segment.part[..<firstCluster]).replacing(Array("webm".utf8), with: Array("wxbm".utf8)),
                .notMatroska(docType: "wxbm")
            ),
        ]
        for (name, bytes, expected) in cases {
            let path = "\(directory)/\(name).webm.part"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(throws: expected, "\(name)") { try MatroskaRecovery.recover(partPath: path) }
            // Refused files stay where they were, for an operator to look at.
            #expect(FileManager.default.fileExists(atPath: path))
        }
        #expect(throws: MatroskaRecoveryError.self) {
            try MatroskaRecovery.recover(partPath: "\(directory)/missing.part")
        }
        // Scanning random bytes after a valid header never traps.
        for _ in 0..<200 {
            let tail = (0..<Int.random(in: 0..<3000, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            let bytes = Array(segment.part[..<(firstCluster + Int.random(in: 0..<4000, using: &generator))]) + tail
            _ = bytes.withUnsafeBytes { try? MatroskaPartScan(scanning: $0) }
        }
    }
}

/// Inputs FuzzMatroskaRecovery found, kept as regression cases (Tests/Fixtures/recording).
@Suite struct MatroskaRecoveryFuzzRegressionTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/recording")

    @Test func aHeaderElementAfterAClusterEndsTheWalk() throws {
        // A second Info after the first cluster once supplied the Duration the first Info
        // lacked, so the kept prefix (without it) scanned differently. Now the walk stops there.
        let bytes = [UInt8](
            try Data(contentsOf: Self.fixtures.appendingPathComponent("fuzz-info-after-cluster.webm.part")))
        #expect(throws: MatroskaRecoveryError.headerIncomplete("Info with an 8-byte Duration")) {
            try bytes.withUnsafeBytes { try MatroskaPartScan(scanning: $0) }
        }
    }
}
