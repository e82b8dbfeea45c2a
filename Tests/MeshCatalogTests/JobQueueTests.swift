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
        #expect(try JobQueue.finish(try #require(claimA), output: "out.mp4", error: nil, on: first))
        #expect(try JobQueue.finish(try #require(claimB), output: nil, error: "ffmpeg exited 1", on: second))
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

    @Test("a job whose lease ran out is claimed again; the first worker can no longer finish or renew it")
    func leaseExpiry() throws {
        let server = try PostgresTestServer()
        let connection = try PostgresConnection(url: server.url)
        let recording = try Self.recording(connection)
        let job = try JobQueue.enqueue(.remuxMP4, recording: recording, on: connection)
        // The first worker claims for 50 ms and then "dies": it never renews.
        let first = try #require(try JobQueue.claim(worker: "recorder-a", lease: .milliseconds(50), on: connection))
        #expect(first.id == job)
        #expect(first.attempt == 1)
        // Set the lease into the past rather than sleeping: the claim query compares it with now().
        try connection.query(
            "UPDATE jobs SET lease_until = now() - interval '1 second' WHERE id = $1", [job.uuidString])
        let second = try #require(try JobQueue.claim(worker: "recorder-b", on: connection))
        #expect(second.id == job)
        #expect(second.attempt == 2)
        // The dead worker comes back late: its claim is stale.
        #expect(try JobQueue.renew(first, on: connection) == false)
        #expect(try JobQueue.finish(first, output: nil, error: "late", on: connection) == false)
        #expect(try JobQueue.renew(second, on: connection))
        #expect(try JobQueue.finish(second, output: "x/recording.mp4", error: nil, on: connection))
        let jobs = try JobQueue.jobs(recording: recording, on: connection)
        #expect(jobs.map(\.state) == [.done])
        #expect(jobs.first?.claimedBy == "recorder-b")
        #expect(jobs.first?.attempts == 2)
        #expect(jobs.first?.output == "x/recording.mp4")
        #expect(try JobQueue.counts(on: connection) == [.queued: 0, .running: 0, .done: 1, .failed: 0])
    }

    @Test("a renewed lease keeps the job; one abandoned maxAttempts times is failed, not handed on")
    func renewAndAbandon() throws {
        let server = try PostgresTestServer()
        let connection = try PostgresConnection(url: server.url)
        let recording = try Self.recording(connection)
        let job = try JobQueue.enqueue(.transcodeMP4, recording: recording, on: connection)
        var claim = try #require(try JobQueue.claim(worker: "recorder-a", on: connection))
        #expect(try JobQueue.renew(claim, lease: .seconds(120), on: connection))
        #expect(try JobQueue.claim(worker: "recorder-b", on: connection) == nil)
        for attempt in 2...JobQueue.maxAttempts {
            try connection.query(
                "UPDATE jobs SET lease_until = now() - interval '1 second' WHERE id = $1", [job.uuidString])
            claim = try #require(try JobQueue.claim(worker: "recorder-\(attempt)", on: connection))
            #expect(claim.attempt == attempt)
        }
        try connection.query(
            "UPDATE jobs SET lease_until = now() - interval '1 second' WHERE id = $1", [job.uuidString])
        #expect(try JobQueue.claim(worker: "recorder-z", on: connection) == nil)
        let jobs = try JobQueue.jobs(recording: recording, on: connection)
        #expect(jobs.first?.state == .failed)
        #expect(jobs.first?.error?.contains("abandoned") == true)
    }

    @Test("a claim for a node takes only the jobs of that node's recordings; one for no node takes any")
    func nodeFilter() throws {
        let server = try PostgresTestServer()
        let connection = try PostgresConnection(url: server.url)
        let mine = try Self.recording(connection)
        let theirs = UUID()
        try connection.query(
            "INSERT INTO recordings (id, stream, node, state, started_at, layers) VALUES ($1, 't', 'other', 'stopped', now(), 'top')",
            [theirs.uuidString])
        let other = try JobQueue.enqueue(.remuxMP4, recording: theirs, on: connection)
        let own = try JobQueue.enqueue(.remuxMP4, recording: mine, on: connection)
        #expect(try JobQueue.claim(worker: "r", node: "r", on: connection)?.id == own)
        #expect(try JobQueue.claim(worker: "r", node: "r", on: connection) == nil)
        // On shared storage a recorder claims any node's job (MP4JobRunner.sharedRoot).
        #expect(try JobQueue.claim(worker: "r", node: nil, on: connection)?.id == other)
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
