import Foundation
import MeshCatalog
import MeshTestSupport
import Testing

/// Retention's catalog side against a real PostgreSQL (issue 14, item 6: "a retention setting
/// per policy"): only ended recordings of the node and policy asked for, stopped longer ago
/// than the retention, are due, oldest first; one still recording never is, however old; an
/// expired one keeps its row with `expired_at` and is not due again.
@Suite("Catalog retention")
struct CatalogRetentionTests {
    @Test("due: ended, this node, this policy, older than the retention; marked once")
    func dueAndMarked() async throws {
        let server = try PostgresTestServer()
        let (catalog, journal) = try CatalogFixture.open(server.url)
        defer { try? FileManager.default.removeItem(at: journal) }
        let now = Date()
        func recording(
            node: String = "recorder-1", policy: String? = "event-*", startedAgo: Double, stoppedAgo: Double?,
            failed: Bool = false
        ) -> UUID {
            let id = catalog.recordingStarted(
                stream: "event-1", node: node, policy: policy, at: now.addingTimeInterval(-startedAgo))
            guard let stoppedAgo else { return id }
            let at = now.addingTimeInterval(-stoppedAgo)
            if failed {
                catalog.recordingFailed(id, error: "disk full", bytes: 10, duration: 1, at: at)
            } else {
                catalog.recordingStopped(id, bytes: 10, duration: 1, at: at)
            }
            return id
        }
        let old = recording(startedAgo: 200, stoppedAgo: 100)
        let young = recording(startedAgo: 200, stoppedAgo: 5)
        let running = recording(startedAgo: 10_000, stoppedAgo: nil)
        let otherPolicy = recording(policy: "news", startedAgo: 200, stoppedAgo: 100)
        let byAPI = recording(policy: nil, startedAgo: 200, stoppedAgo: 100)
        let otherNode = recording(node: "recorder-2", startedAgo: 200, stoppedAgo: 100)
        let failedOlder = recording(startedAgo: 300, stoppedAgo: 150, failed: true)
        #expect(await catalog.waitUntilApplied(timeout: .seconds(60)))

        let due = try await catalog.expiredRecordings(node: "recorder-1", policy: "event-*", seconds: 60)
        #expect(due == [failedOlder, old])
        for untouched in [young, running, otherPolicy, byAPI, otherNode] { #expect(!due.contains(untouched)) }

        #expect(try await catalog.markExpired(old))
        #expect(!(try await catalog.markExpired(old)), "marking twice is a no-op")
        #expect(!(try await catalog.markExpired(running)), "a recording still being written is never marked")
        let expired = try #require(try await catalog.detail(old)).recording
        let marked = try #require(expired.expiredAt)
        #expect(abs(marked.timeIntervalSince(Date())) < 60)
        #expect(expired.state == .stopped && expired.bytes == 10, "the row itself is kept")
        #expect(try #require(try await catalog.detail(running)).recording.expiredAt == nil)
        #expect(
            try await catalog.expiredRecordings(node: "recorder-1", policy: "event-*", seconds: 60) == [failedOlder])
        // A retention longer than every age: nothing is due.
        #expect(try await catalog.expiredRecordings(node: "recorder-1", policy: "event-*", seconds: 3600).isEmpty)
        await catalog.shutdown()
    }
}
