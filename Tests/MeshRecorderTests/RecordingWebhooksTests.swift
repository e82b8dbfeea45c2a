import Foundation
import MeshCatalog
import MeshCluster
import MeshControl
import MeshTestSupport
import Testing

@testable import MeshRecorder

/// The recorder's webhook events (issue 15, item 7) from its catalog's changes, into a real
/// Redis outbox: `recording.started` with the stream, `recording.segment_closed` per closed or
/// recovered segment (not when one opens), `recording.stopped` with the failure when there was one.
@Suite struct RecordingWebhooksTests {
    @Test func aRecordingsStartClosedSegmentsAndStopAreReported() async throws {
        let redis = try RedisTestServer()
        defer { redis.stop() }
        let postgres = try PostgresTestServer()
        defer { postgres.stop() }
        let client = RedisClient(endpoint: redis.endpoint)
        await client.waitUntil(available: true)
        let target = WebhookTarget(url: "http://127.0.0.1:9/hooks", secretVariable: "HOOK_SECRET")
        let events = WebhookEvents(outbox: WebhookOutbox(redis: client), node: "recorder-1") { [target] }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hooks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let catalog = try RecordingCatalog(
            client: RecordingCatalog.client(url: postgres.url), journal: directory.appendingPathComponent("j.jsonl"))
        let webhooks = RecordingWebhooks(events: events)
        catalog.observe { webhooks.handle($0) }

        let id = catalog.recordingStarted(stream: "town-hall", node: "recorder-1")
        catalog.segmentOpened(0, file: "0.webm.part", start: 0, in: id)
        catalog.segmentClosed(
            RecordedSegment(sequence: 0, file: "0.webm", state: .closed, start: 0, duration: 6, bytes: 10), in: id)
        catalog.segmentOpened(1, file: "1.webm.part", start: 6, in: id)
        catalog.recordingFailed(id, error: "disk full", bytes: 10, duration: 7)

        // Each report is appended by its own task: wait for all three, in any order.
        var bodies: [String: [String: Any]] = [:]
        let deadline = ContinuousClock.now + .seconds(60)
        while bodies.count < 3, ContinuousClock.now < deadline {
            let entries = try await client.command(["XRANGE", WebhookOutbox.streamKey, "-", "+"]).array ?? []
            for entry in entries {
                let fields = entry.array?.last?.array?.compactMap(\.string) ?? []
                guard let event = fields.firstIndex(of: "event").map({ fields[$0 + 1] }),
                    let body = fields.firstIndex(of: "body").map({ fields[$0 + 1] }),
                    let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
                else { continue }
                bodies[event] = json
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(bodies.keys.sorted() == ["recording.segment_closed", "recording.started", "recording.stopped"])
        for (event, body) in bodies {
            #expect(body["recording"] as? String == id.uuidString, "\(event)")
            #expect(body["stream"] as? String == "town-hall", "\(event)")
            #expect(body["node"] as? String == "recorder-1", "\(event)")
        }
        #expect(bodies["recording.segment_closed"]?["segment"] as? Int == 0)
        #expect(bodies["recording.stopped"]?["error"] as? String == "disk full")
        #expect(bodies["recording.started"]?["error"] == nil)
        await client.shutdown()
    }
}
