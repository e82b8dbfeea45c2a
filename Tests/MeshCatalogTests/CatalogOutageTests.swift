import Foundation
import MeshCatalog
import MeshTestSupport
import Testing

/// Issue 14: "PostgreSQL stopped for 10 s during a recording: the recording continues; the rows
/// appear after it returns", and nothing is lost when the recorder restarts during the outage.
@Suite("Catalog outage", .serialized)
struct CatalogOutageTests {
    @Test("10 s without PostgreSQL: every change arrives afterwards, in order, none lost or doubled")
    func outage() async throws {
        let server = try PostgresTestServer()
        // A small memory bound, so the outage also spills to the journal and reads it back.
        let (catalog, journal) = try CatalogFixture.open(server.url, memoryLimit: 16)
        defer { try? FileManager.default.removeItem(at: journal) }
        let id = catalog.recordingStarted(stream: "live", node: "recorder-1")
        catalog.trackAdded(RecordedTrack(number: 1, kind: .video, codec: "VP8"), to: id)
        var writer = SegmentWriter(recording: id)
        for _ in 0..<5 { writer.next(catalog) }
        #expect(await catalog.waitUntilApplied(timeout: .seconds(60)))

        server.stop()  // fast shutdown: the catalog's connection drops mid-stream
        let outageEnds = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < outageEnds {
            writer.next(catalog)
            try await Task.sleep(for: .milliseconds(100))
        }
        let during = catalog.lag
        #expect(!catalog.client.isAvailable)
        #expect(during.pending >= 100)  // about 100 segments, two changes each, waited
        #expect(during.journalBytes > 0)
        #expect(during.behindFor != nil)
        catalog.recordingStopped(id, bytes: writer.bytes, duration: writer.start)

        try server.start()
        #expect(await catalog.waitUntilApplied(timeout: .seconds(60)))
        let lag = catalog.lag
        #expect(lag.rejected == 0)  // a change applied out of order would break a foreign key
        #expect(lag.lost == 0)
        #expect(lag.journalBytes == 0)
        let detail = try #require(try await catalog.detail(id))
        #expect(detail.recording.state == .stopped)
        #expect(detail.recording.bytes == writer.bytes)
        #expect(detail.segments == writer.segments)
        #expect(detail.gaps == writer.gaps)
        let counts = try server.query(
            "SELECT (SELECT count(*) FROM segments) AS segments, (SELECT count(*) FROM gaps) AS gaps"
        ).rows[0]
        #expect(try counts.int("segments") == Int64(writer.segments.count))
        #expect(try counts.int("gaps") == Int64(writer.gaps.count))
        await catalog.shutdown()
    }

    @Test("a recorder restarted during the outage replays its journal; a torn last line is dropped")
    func restartReplaysJournal() async throws {
        let server = try PostgresTestServer()
        let (first, journal) = try CatalogFixture.open(server.url)
        defer { try? FileManager.default.removeItem(at: journal) }
        let id = first.recordingStarted(stream: "live", node: "recorder-1")
        #expect(await first.waitUntilApplied(timeout: .seconds(60)))
        server.stop()
        var writer = SegmentWriter(recording: id)
        for _ in 0..<40 { writer.next(first) }
        first.recordingStopped(id, bytes: writer.bytes, duration: writer.start)
        #expect(first.lag.pending == writer.changes + 1)
        await first.shutdown()
        await first.client.shutdown()
        // A crash in the middle of an append leaves half a line.
        let handle = try FileHandle(forWritingTo: journal)
        handle.seekToEndOfFile()
        handle.write(Data(#"{"seq":999,"change":{"gap":{"rec"#.utf8))
        try handle.close()

        try server.start()
        // A small memory bound: the replay itself reads the journal back in pieces.
        let (second, _) = try CatalogFixture.open(server.url, journal: journal, memoryLimit: 8)
        #expect(second.lag.pending == writer.changes + 1)
        #expect(await second.waitUntilApplied(timeout: .seconds(60)))
        #expect(second.lag.rejected == 0)
        let detail = try #require(try await second.detail(id))
        #expect(detail.recording.state == .stopped)
        #expect(detail.segments == writer.segments)
        #expect(detail.gaps == writer.gaps)
        #expect(second.lag.journalBytes == 0)
        await second.shutdown()
    }

    @Test("a journal with a malformed line before its end is refused with the line number")
    func corruptJournal() throws {
        let server = try PostgresTestServer()
        let journal = FileManager.default.temporaryDirectory.appendingPathComponent("meshcast-catalog-\(UUID()).jsonl")
        defer { try? FileManager.default.removeItem(at: journal) }
        try Data("not json\n{}\n".utf8).write(to: journal)
        #expect {
            _ = try CatalogFixture.open(server.url, journal: journal)
        } throws: { error in
            "\(error)".contains("line 1")
        }
    }
}

/// Writes segments as a recorder would (open, then closed a moment later; a gap every tenth)
/// and remembers what the catalog must end up holding.
struct SegmentWriter {
    let recording: UUID
    var segments: [RecordedSegment] = []
    var gaps: [RecordedGap] = []
    var start = 0.0
    var bytes: Int64 = 0
    var changes = 0

    init(recording: UUID) {
        self.recording = recording
    }

    mutating func next(_ catalog: RecordingCatalog) {
        let sequence = segments.count
        catalog.segmentOpened(sequence, file: "live/\(sequence).mkv.part", start: start, in: recording)
        let size = Int64(100_000 + sequence)
        let closed = RecordedSegment(
            sequence: sequence, file: "live/\(sequence).mkv", state: sequence % 7 == 3 ? .recovered : .closed,
            start: start, duration: 2, bytes: size, frames: 60, sha256: String(repeating: "0f", count: 32))
        catalog.segmentClosed(closed, in: recording)
        segments.append(closed)
        changes += 2
        if sequence % 10 == 9 {
            let gap = RecordedGap(at: start + 1, duration: 0.25, reason: "loss")
            catalog.gap(gap, in: recording)
            gaps.append(gap)
            changes += 1
        }
        start += 2
        bytes += size
    }
}
