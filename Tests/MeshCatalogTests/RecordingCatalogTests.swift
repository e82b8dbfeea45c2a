import Foundation
import MeshCatalog
import MeshTestSupport
import Testing

/// `RecordingCatalog` against a real PostgreSQL: what the recorder writes (issue 14, item 4)
/// comes back through the queries, paged and filtered, and deletes cascade.
@Suite("Recording catalog")
struct RecordingCatalogTests {
    @Test("a recording's tracks, segments and gaps come back as written")
    func roundTrip() async throws {
        let server = try PostgresTestServer()
        let (catalog, journal) = try CatalogFixture.open(server.url)
        defer { try? FileManager.default.removeItem(at: journal) }
        let started = Date(timeIntervalSince1970: 1_764_900_000.25)
        let id = catalog.recordingStarted(
            stream: "news", node: "recorder-1", policy: "news*", layers: .all, at: started)
        catalog.trackAdded(RecordedTrack(number: 1, kind: .video, codec: "VP8", ssrc: 0xDEAD_BEEF), to: id)
        catalog.trackAdded(RecordedTrack(number: 2, kind: .audio, codec: "opus", ssrc: 7), to: id)
        catalog.segmentOpened(0, file: "news/0.mkv.part", start: 0, in: id)
        let hash = String(repeating: "ab", count: 32)
        let closed = RecordedSegment(
            sequence: 0, file: "news/0.mkv", state: .closed, start: 0, duration: 6.02, bytes: 1_130_000, frames: 181,
            sha256: hash)
        catalog.segmentClosed(closed, in: id)
        catalog.segmentOpened(1, file: "news/1.mkv.part", start: 6.02, in: id)
        let gap = RecordedGap(at: 7.5, duration: 0.4, reason: "publisher-reconnect")
        catalog.gap(gap, in: id)
        #expect(await catalog.waitUntilApplied(timeout: .seconds(60)))
        let detail = try #require(try await catalog.detail(id))
        #expect(detail.recording.stream == "news")
        #expect(detail.recording.state == .recording)
        #expect(detail.recording.policy == "news*")
        #expect(detail.recording.layers == .all)
        #expect(abs(detail.recording.startedAt.timeIntervalSince(started)) < 0.000_001)
        #expect(detail.tracks.map(\.codec) == ["VP8", "opus"])
        #expect(detail.tracks.first?.ssrc == 0xDEAD_BEEF)
        #expect(
            detail.segments == [
                closed, RecordedSegment(sequence: 1, file: "news/1.mkv.part", state: .open, start: 6.02),
            ])
        #expect(detail.gaps == [gap])

        catalog.recordingFailed(id, error: "disk full", bytes: 1_130_000, duration: 7.9)
        // A stop after the failure does not overwrite it: an ended recording stays ended.
        catalog.recordingStopped(id, bytes: 1, duration: 1)
        #expect(await catalog.waitUntilApplied(timeout: .seconds(60)))
        let ended = try #require(try await catalog.detail(id)).recording
        #expect(ended.state == .failed)
        #expect(ended.error == "disk full")
        #expect(ended.bytes == 1_130_000)
        #expect(ended.stoppedAt != nil)
        #expect(catalog.lag.rejected == 0)
        await catalog.shutdown()
    }

    @Test("a change PostgreSQL refuses is counted and logged; the changes around it still land")
    func rejectedChange() async throws {
        let server = try PostgresTestServer()
        let (catalog, journal) = try CatalogFixture.open(server.url)
        defer { try? FileManager.default.removeItem(at: journal) }
        let id = catalog.recordingStarted(stream: "s", node: "recorder-1")
        // A track of a recording nobody started: foreign_key_violation (23503), a bug upstream.
        catalog.trackAdded(RecordedTrack(number: 1, kind: .audio, codec: "opus"), to: UUID())
        catalog.trackAdded(RecordedTrack(number: 1, kind: .video, codec: "VP8"), to: id)
        catalog.recordingStopped(id, bytes: 5, duration: 1)
        #expect(await catalog.waitUntilApplied(timeout: .seconds(60)))
        #expect(catalog.lag.rejected == 1)
        #expect(catalog.lag.applied == 3)
        let detail = try #require(try await catalog.detail(id))
        #expect(detail.tracks.map(\.codec) == ["VP8"])
        #expect(detail.recording.state == .stopped)
        await catalog.shutdown()
    }

    @Test("list filters by stream, state and start time, and pages without skipping or repeating")
    func listing() async throws {
        let server = try PostgresTestServer()
        let (catalog, journal) = try CatalogFixture.open(server.url)
        defer { try? FileManager.default.removeItem(at: journal) }
        let base = Date(timeIntervalSince1970: 1_764_000_000)
        var ids: [UUID] = []
        for index in 0..<23 {
            // Three share one start time: the cursor's id breaks the tie.
            let time = base.addingTimeInterval(Double(min(index, 20)))
            let id = catalog.recordingStarted(
                stream: index % 2 == 0 ? "even" : "odd", node: "recorder-1", at: time)
            if index % 5 == 0 { catalog.recordingStopped(id, bytes: 10, duration: 1) }
            ids.append(id)
        }
        #expect(await catalog.waitUntilApplied(timeout: .seconds(60)))
        var seen: [UUID] = []
        var filter = RecordingFilter(limit: 4)
        while true {
            let page = try await catalog.list(filter)
            #expect(page.recordings.count <= 4)
            seen += page.recordings.map(\.id)
            guard let next = page.next else { break }
            filter.after = next
        }
        #expect(seen.count == 23)
        #expect(Set(seen) == Set(ids))
        let even = try await catalog.list(RecordingFilter(stream: "even", limit: 100)).recordings
        #expect(even.count == 12)
        #expect(even.allSatisfy { $0.stream == "even" })
        let stopped = try await catalog.list(RecordingFilter(state: .stopped, limit: 100)).recordings
        #expect(Set(stopped.map(\.id)) == Set(stride(from: 0, to: 23, by: 5).map { ids[$0] }))
        let recent = try await catalog.list(RecordingFilter(since: base.addingTimeInterval(18), limit: 100)).recordings
        #expect(recent.count == 5)  // starts 18, 19, and three at 20
        #expect(zip(recent, recent.dropFirst()).allSatisfy { $0.startedAt >= $1.startedAt })
        await catalog.shutdown()
    }

    @Test("delete removes a recording with its tracks, segments, gaps and jobs")
    func deleteCascades() async throws {
        let server = try PostgresTestServer()
        let (catalog, journal) = try CatalogFixture.open(server.url)
        defer { try? FileManager.default.removeItem(at: journal) }
        let id = catalog.recordingStarted(stream: "s", node: "recorder-1")
        let other = catalog.recordingStarted(stream: "s", node: "recorder-1")
        catalog.trackAdded(RecordedTrack(number: 1, kind: .video, codec: "VP9"), to: id)
        catalog.segmentOpened(0, file: "s/0.mkv.part", start: 0, in: id)
        catalog.gap(RecordedGap(at: 1, duration: 1, reason: "loss"), in: id)
        #expect(await catalog.waitUntilApplied(timeout: .seconds(60)))
        try JobQueue.enqueue(.remuxMP4, recording: id, on: PostgresConnection(url: server.url))
        #expect(try await catalog.delete(id))
        #expect(try await catalog.delete(id) == false)
        #expect(try await catalog.detail(id) == nil)
        #expect(try await catalog.detail(other) != nil)
        for table in ["tracks", "segments", "gaps", "jobs"] {
            #expect(try server.query("SELECT count(*) AS n FROM \(table)").rows.first?.int("n") == 0)
        }
        await catalog.shutdown()
    }
}

/// A catalog on a fresh journal in the temp directory.
enum CatalogFixture {
    static func open(_ url: String, journal: URL? = nil, memoryLimit: Int = 10_000) throws -> (RecordingCatalog, URL) {
        let file =
            journal ?? FileManager.default.temporaryDirectory.appendingPathComponent("meshcast-catalog-\(UUID()).jsonl")
        let catalog = try RecordingCatalog(
            client: RecordingCatalog.client(url: url), journal: file,
            configuration: .init(memoryLimit: memoryLimit, batchSize: 50))
        return (catalog, file)
    }
}
