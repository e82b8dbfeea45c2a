import Foundation
import Logging
import MeshCatalog
import MeshRecording
import MeshTestSupport
import Testing

@testable import MeshRecorder

/// What a recorder does with its storage on start, against a real PostgreSQL: a `.part` left by
/// a crash is closed at its last whole cluster and catalogued `recovered` with its start (from
/// its name), size and SHA-256, its recording ends `failed` ("interrupted"), and a `.part`
/// recovery refuses is left as it was.
@Suite(.serialized) struct StorageRecoveryTests {
    @Test func aPartLeftByACrashIsClosedAndCatalogued() async throws {
        let server = try PostgresTestServer()
        let storage = FileManager.default.temporaryDirectory.appendingPathComponent("meshcast-rec-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: storage) }
        let (catalog, journal) = try Self.catalog(server.url)
        defer { try? FileManager.default.removeItem(at: journal) }
        let id = UUID()
        catalog.record(.recordingStarted(Recording(id: id, stream: "crashed", node: "rec-t", policy: "rec-*")))
        let directory = "\(storage)/\(id.uuidString.lowercased())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

        // Segment 0 closed normally; segment 1 (starting 5 s in) written for 2.5 s, then the
        // process "dies": the open cluster (the last half second) was never written.
        let tracks = [MatroskaTrack(number: 1, codec: .opus(channels: 2, preSkip: 312))]
        let frame: [UInt8] = [0xFC] + Array(repeating: 0x55, count: 80)  // RFC 6716 §3.1 TOC, code 0
        let closed = try MatroskaSegmentWriter(path: "\(directory)/000000-0.webm", tracks: tracks)
        for index in 0..<250 {
            try frame.withUnsafeBytes {
                try closed.write(track: 1, timestamp: Int64(index) * 20, isKeyFrame: true, frame: $0)
            }
        }
        _ = try closed.close()
        let open = try MatroskaSegmentWriter(path: "\(directory)/000001-5000.webm", tracks: tracks)
        for index in 0..<125 {
            try frame.withUnsafeBytes {
                try open.write(track: 1, timestamp: Int64(index) * 20, isKeyFrame: true, frame: $0)
            }
        }
        open.abandon()
        // Garbage named like a segment: refused, left alone.
        let garbage = "\(directory)/000002-7500.webm.part"
        try Data("not a matroska file".utf8).write(to: URL(fileURLWithPath: garbage))

        // Killed within its first cluster: a header and nothing else.
        try MatroskaSegmentWriter(path: "\(directory)/000003-9000.webm", tracks: tracks).abandon()

        let outcome = StorageRecovery.run(storage: storage, catalog: catalog, logger: Logger(label: "test"))
        #expect(outcome.recovered == 1 && outcome.refused == 1 && outcome.empty == 1, "\(outcome)")
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/000003-9000.webm.part"))
        #expect(FileManager.default.fileExists(atPath: "\(directory)/000001-5000.webm"))
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/000001-5000.webm.part"))
        #expect(FileManager.default.fileExists(atPath: garbage))
        #expect(await catalog.waitUntilApplied(timeout: .seconds(60)))

        let segment = try #require(
            try server.query(
                "SELECT state, start, duration, bytes, frames, sha256 FROM segments WHERE recording_id = $1 "
                    + "AND sequence = 1", [id.uuidString]
            ).rows.first)
        #expect(try segment.string("state") == "recovered")
        #expect(try segment.double("start") == 5.0)
        // Two whole clusters of 1 s were on disk; the third (open) one was lost.
        #expect(try segment.double("duration") == 2.0)
        #expect(try segment.int("frames") == 100)
        let bytes = try #require(FileManager.default.contents(atPath: "\(directory)/000001-5000.webm"))
        #expect(try segment.int("bytes") == Int64(bytes.count))
        #expect(try segment.string("sha256") == SegmentSeries.sha256(of: "\(directory)/000001-5000.webm"))
        let empty = try #require(
            try server.query(
                "SELECT state, frames FROM segments WHERE recording_id = $1 AND sequence = 3", [id.uuidString]
            ).rows.first)
        #expect(try empty.string("state") == "recovered" && empty.int("frames") == 0)
        let recording = try #require(
            try server.query("SELECT state, error, duration FROM recordings WHERE id = $1", [id.uuidString]).rows.first)
        #expect(try recording.string("state") == "failed")
        #expect(try recording.string("error").hasPrefix("interrupted"))
        #expect(try recording.double("duration") == 7.0)
        await catalog.shutdown()
    }

    /// A crash before a recording's first segment (or between two) leaves no `.part`: the
    /// restart fails the node's recordings begun before it, and only those.
    @Test func recordingsWithNoPartFailWhenTheirNodeStartsAgain() async throws {
        let server = try PostgresTestServer()
        let (catalog, journal) = try Self.catalog(server.url)
        defer { try? FileManager.default.removeItem(at: journal) }
        let restart = Date()
        let cutOff = UUID()
        let otherNode = UUID()
        let stopped = UUID()
        let afterRestart = UUID()
        let before = restart.addingTimeInterval(-60)
        catalog.record(.recordingStarted(Recording(id: cutOff, stream: "a", node: "rec-t", startedAt: before)))
        catalog.record(.recordingStarted(Recording(id: otherNode, stream: "b", node: "rec-u", startedAt: before)))
        catalog.record(.recordingStarted(Recording(id: stopped, stream: "c", node: "rec-t", startedAt: before)))
        catalog.recordingStopped(stopped, bytes: 10, duration: 1, at: before.addingTimeInterval(5))
        catalog.recordingsInterrupted(node: "rec-t", error: "interrupted: test", before: restart)
        catalog.record(.recordingStarted(Recording(id: afterRestart, stream: "a", node: "rec-t", startedAt: Date())))
        #expect(await catalog.waitUntilApplied(timeout: .seconds(60)))
        func state(_ id: UUID) throws -> (String, String?) {
            let row = try #require(
                try server.query("SELECT state, error FROM recordings WHERE id = $1", [id.uuidString]).rows.first)
            return (try row.string("state"), try? row.string("error"))
        }
        #expect(try state(cutOff) == ("failed", "interrupted: test"))
        #expect(try state(otherNode).0 == "recording")
        #expect(try state(stopped).0 == "stopped")
        #expect(try state(afterRestart).0 == "recording")
        await catalog.shutdown()
    }

    static func catalog(_ url: String) throws -> (RecordingCatalog, URL) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("meshcast-catalog-\(UUID()).jsonl")
        return (try RecordingCatalog(client: RecordingCatalog.client(url: url), journal: file), file)
    }
}
