import Dispatch
import Foundation
import MeshCatalog
import MeshTestSupport
import Synchronization
import Testing

/// Post-processing jobs claimed with `FOR UPDATE SKIP LOCKED` (PostgreSQL docs, SELECT, "The
/// Locking Clause"): concurrent claimers never share a job and never wait on each other.
@Suite("Job queue")
struct JobQueueTests {
    @Test("a job locked by one claimer is skipped, not waited for, by another")
    func skipLocked() throws {
        let server = try PostgresTestServer()
        let first = try PostgresConnection(url: server.url, ioTimeout: .seconds(5))
        let second = try PostgresConnection(url: server.url, ioTimeout: .seconds(5))
        let recording = try Self.recording(first)
        let older = try JobQueue.enqueue(.remuxMP4, recording: recording, on: first)
        let newer = try JobQueue.enqueue(.transcodeMP4, recording: recording, on: first)
        try first.query("BEGIN")
        let claimA = try JobQueue.claim(worker: "recorder-a", on: first)
        #expect(claimA?.id == older)
        // The first claim's row is still locked (its transaction is open). Without SKIP LOCKED
        // this would block until the I/O timeout; with it, the next job comes back at once.
        let claimB = try JobQueue.claim(worker: "recorder-b", on: second)
        #expect(claimB?.id == newer)
        #expect(claimB?.kind == .transcodeMP4)
        #expect(try JobQueue.claim(worker: "recorder-b", on: second) == nil)
        try first.query("COMMIT")
        #expect(try JobQueue.claim(worker: "recorder-b", on: second) == nil)
        try JobQueue.finish(older, output: "out.mp4", error: nil, on: first)
        try JobQueue.finish(newer, output: nil, error: "ffmpeg exited 1", on: second)
        let states = try first.query("SELECT state FROM jobs ORDER BY created_at").rows.map { try $0.string("state") }
        #expect(states == ["done", "failed"])
    }

    @Test("two claimers draining 200 jobs at once get each job exactly once")
    func twoClaimers() throws {
        let server = try PostgresTestServer()
        let setup = try PostgresConnection(url: server.url)
        let recording = try Self.recording(setup)
        var queued = Set<UUID>()
        for _ in 0..<200 { queued.insert(try JobQueue.enqueue(.remuxMP4, recording: recording, on: setup)) }
        let url = server.url
        let claims = Mutex<[String: [UUID]]>([:])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let worker = "recorder-\(index)"
            do {
                let connection = try PostgresConnection(url: url)
                while let claim = try JobQueue.claim(worker: worker, on: connection) {
                    claims.withLock { $0[worker, default: []].append(claim.id) }
                }
            } catch {
                failures.withLock { $0.append("\(worker): \(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let all = claims.withLock { $0.values.flatMap { $0 } }
        #expect(all.count == 200)
        #expect(Set(all) == queued)
        let running = try setup.query("SELECT count(*) AS n FROM jobs WHERE state = 'running'").rows.first?.int("n")
        #expect(running == 200)
    }

    /// Migrates and adds one recording for jobs to point at.
    static func recording(_ connection: PostgresConnection) throws -> UUID {
        try CatalogMigrator.migrate(connection)
        let id = UUID()
        try connection.query(
            "INSERT INTO recordings (id, stream, node, state, started_at, layers) VALUES ($1, 's', 'r', 'stopped', now(), 'top')",
            [id.uuidString])
        return id
    }
}
