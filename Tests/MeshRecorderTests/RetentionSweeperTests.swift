import Foundation
import Logging
import MeshCatalog
import MeshCluster
import MeshTestSupport
import Testing

@testable import MeshRecorder

/// The recorder's retention sweep against a real PostgreSQL and real files (issue 14, item 6):
/// the files of an ended recording its policy no longer keeps are deleted and its row marked
/// expired; a younger one, one of a policy with no retention and one this node is writing keep
/// theirs.
@Suite(.serialized) struct RetentionSweeperTests {
    @Test func expiredFilesGoAndRecordingsBeingWrittenStay() async throws {
        let server = try PostgresTestServer()
        let storage = FileManager.default.temporaryDirectory.appendingPathComponent("meshcast-ret-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: storage) }
        let (catalog, journal) = try StorageRecoveryTests.catalog(server.url)
        defer { try? FileManager.default.removeItem(at: journal) }
        let now = Date()
        func recording(policy: String, stoppedAgo: Double?) throws -> UUID {
            let id = catalog.recordingStarted(
                stream: "event-a", node: "rec-t", policy: policy, at: now.addingTimeInterval(-600))
            if let stoppedAgo {
                catalog.recordingStopped(id, bytes: 4, duration: 1, at: now.addingTimeInterval(-stoppedAgo))
            }
            let directory = "\(storage)/\(id.uuidString.lowercased())"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data("segment".utf8).write(to: URL(fileURLWithPath: "\(directory)/000000-0.webm"))
            return id
        }
        let expired = try recording(policy: "event-*", stoppedAgo: 120)
        let young = try recording(policy: "event-*", stoppedAgo: 1)
        let forever = try recording(policy: "keep-*", stoppedAgo: 120)
        let writing = try recording(policy: "event-*", stoppedAgo: nil)
        // Ended in the catalog, yet running here again (a restart the catalog has not heard of).
        let runningHere = try recording(policy: "event-*", stoppedAgo: 120)
        #expect(await catalog.waitUntilApplied(timeout: .seconds(60)))

        let pattern = try #require(StreamPattern("event-*"))
        let policies = StreamPolicies(
            record: [pattern, try #require(StreamPattern("keep-*"))],
            recordRetention: [RecordRetention(pattern: pattern, seconds: 60)])
        let sweeper = RetentionSweeper(nodeID: "rec-t", storage: storage, catalog: catalog, logger: Logger(label: "t"))
        #expect(await sweeper.sweep(policies, running: [runningHere]) == [expired])

        func exists(_ id: UUID) -> Bool {
            FileManager.default.fileExists(atPath: "\(storage)/\(id.uuidString.lowercased())/000000-0.webm")
        }
        #expect(!exists(expired))
        for kept in [young, forever, writing, runningHere] { #expect(exists(kept)) }
        #expect(try #require(try await catalog.detail(expired)).recording.expiredAt != nil)
        #expect(try #require(try await catalog.detail(young)).recording.expiredAt == nil)
        // A second sweep has nothing left to do; no retention at all sweeps nothing.
        #expect(await sweeper.sweep(policies, running: [runningHere]).isEmpty)
        #expect(await sweeper.sweep(StreamPolicies(record: [pattern]), running: []).isEmpty)
        #expect(exists(runningHere))
        await catalog.shutdown()
    }
}
