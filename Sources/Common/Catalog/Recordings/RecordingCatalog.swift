import Foundation
import Logging
import Synchronization

/// The catalog the recorder writes to: every change goes through an outbox, so a PostgreSQL
/// outage never stops or slows a recording and loses nothing.
///
/// `record(_:)` returns at once: it journals the change (`CatalogJournal`), keeps it in memory
/// (up to `memoryLimit`; beyond that it stays in the journal only and is read back later) and
/// wakes the writer. The writer applies changes in order, in batches, each batch one
/// transaction, on the `PostgresClient`'s own queue; while PostgreSQL is away it waits for the
/// client to reconnect and retries the same batch. Changes are idempotent (`CatalogChange`), so
/// a batch applied just before a connection broke, or a journal replayed after a restart, is
/// harmless. When everything is applied the journal is emptied.
///
/// Reads and deletes (`list`, `detail`, `delete`) go straight to PostgreSQL.
public final class RecordingCatalog: Sendable {
    /// Tunables.
    public struct Configuration: Sendable {
        /// Changes kept in memory; more wait in the journal.
        public var memoryLimit: Int
        /// Changes per transaction.
        public var batchSize: Int

        /// 10 000 in memory, 200 per transaction, unless told otherwise.
        public init(memoryLimit: Int = 10_000, batchSize: Int = 200) {
            self.memoryLimit = max(memoryLimit, 1)
            self.batchSize = max(batchSize, 1)
        }
    }

    private struct Backlog {
        var memory: [CatalogJournal.Entry] = []
        /// The first change that overflowed memory and waits in the journal only.
        /// Where in the journal the first change that overflowed memory starts: it and
        /// everything after it wait in the journal only.
        var spilledAt: Int64?
        var nextSeq: UInt64 = 0
        var pending = 0
        var oldestSince: ContinuousClock.Instant?
        var applied = 0
        var rejected = 0
        var lost = 0
        var journalFailures = 0
    }

    /// The client reads and the writer use.
    public let client: PostgresClient
    private let configuration: Configuration
    private let journal: CatalogJournal
    private let backlog: Mutex<Backlog>
    private let wakeups: AsyncStream<Void>.Continuation
    private let writer: Mutex<Task<Void, Never>?> = Mutex(nil)
    private let logger: Logger
    private let observers = Mutex<[@Sendable (CatalogChange) -> Void]>([])

    /// A client for the catalog at `url` that applies the migrations on every connection.
    public static func client(url: String) -> PostgresClient {
        PostgresClient(
            url: url,
            configuration: .init(onConnect: { connection throws(PostgresError) in
                try CatalogMigrator.migrate(connection)
            }))
    }

    /// Opens the journal at `journal` (replaying what an earlier run left there) and starts
    /// the writer.
    public init(
        client: PostgresClient, journal url: URL, configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "meshcast.catalog")
    ) throws {
        self.client = client
        self.configuration = configuration
        self.logger = logger
        // What an earlier run left, renumbered from 0 and written back whole, so a torn tail
        // never glues onto the next line.
        var state = Backlog()
        if FileManager.default.fileExists(atPath: url.path) {
            let (found, torn) = try CatalogJournal.read(url)
            if torn { logger.warning("catalog journal \(url.path): dropped a torn last line (a crash mid-write)") }
            let renumbered = found.enumerated().map { CatalogJournal.Entry(seq: UInt64($0), change: $1.change) }
            try CatalogJournal.replace(url, with: renumbered)
            state.nextSeq = UInt64(renumbered.count)
        }
        journal = try CatalogJournal(url: url)
        if state.nextSeq > 0 {
            (state.memory, state.spilledAt) = try journal.read(at: 0, limit: configuration.memoryLimit)
        }
        let left = state.nextSeq
        state.pending = Int(left)
        state.oldestSince = left == 0 ? nil : .now
        if left > 0 { logger.notice("catalog journal: replaying \(left) changes from an earlier run") }
        backlog = Mutex(state)
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        wakeups = continuation
        let task = Task { [weak self] in
            for await _ in stream {
                guard let self else { return }
                await self.drain()
            }
        }
        writer.withLock { $0 = task }
        continuation.yield()
    }

    deinit {
        wakeups.finish()
    }

    /// Calls `observer` with every change accepted from now on, on the caller's thread (the
    /// recorder's webhooks); it must not block.
    public func observe(_ observer: @escaping @Sendable (CatalogChange) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// Accepts one change; never blocks on PostgreSQL.
    public func record(_ change: CatalogChange) {
        for observer in observers.withLock({ $0 }) { observer(change) }
        let logged: String? = backlog.withLock { state in
            let entry = CatalogJournal.Entry(seq: state.nextSeq, change: change)
            var journalled = true
            var problem: String?
            var offset: Int64 = 0
            do {
                offset = try journal.append(entry)
            } catch {
                journalled = false
                state.journalFailures += 1
                problem = "catalog journal: \(error); keeping change \(entry.seq) in memory only"
            }
            // In memory while there is room and nothing older waits in the journal alone.
            if state.spilledAt == nil && (state.memory.count < configuration.memoryLimit || !journalled) {
                state.memory.append(entry)
            } else if journalled {
                state.spilledAt = state.spilledAt ?? offset
            } else {
                state.lost += 1
                return "catalog: lost change \(entry.seq) (memory full and the journal failed)"
            }
            state.nextSeq += 1
            state.pending += 1
            if state.oldestSince == nil { state.oldestSince = .now }
            return problem
        }
        if let logged { logger.error("\(logged)") }
        wakeups.yield()
    }

    /// The counters behind the catalog-lag metrics.
    public var lag: CatalogLag {
        let journalBytes = journal.size
        return backlog.withLock { state in
            CatalogLag(
                pending: state.pending, behindFor: state.oldestSince.map { .now - $0 }, applied: state.applied,
                rejected: state.rejected, lost: state.lost, journalFailures: state.journalFailures,
                journalBytes: journalBytes)
        }
    }

    /// Returns once nothing is pending (shutdown, tests), or after `timeout`; whether it emptied.
    public func waitUntilApplied(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while backlog.withLock({ $0.pending }) > 0 {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Stops the writer; what is pending stays in the journal for the next run.
    public func shutdown() async {
        wakeups.finish()
        let task = writer.withLock { $0 }
        task?.cancel()
        await task?.value
    }

    // MARK: The writer

    /// Applies batches until nothing in memory or the journal is pending.
    private func drain() async {
        while !Task.isCancelled {
            let batch = backlog.withLock { state in Array(state.memory.prefix(configuration.batchSize)) }
            guard !batch.isEmpty else { return }
            let changes = batch.map(\.change)
            do throws(PostgresError) {
                try await client.transaction { connection throws(PostgresError) in
                    for change in changes { try change.apply(on: connection) }
                }
                settle(batch.count, rejected: 0)
            } catch  where error.isConnectionFailure {
                // PostgreSQL is away: wait for the client to reconnect, then retry the same batch.
                await pauseUntilAvailable()
            } catch {
                await applyOneByOne(batch)
            }
        }
    }

    /// Waits for the client to reconnect, flushing the journal to disk once a second
    /// meanwhile: during an outage nothing else syncs it, and a machine crash should lose at
    /// most the last second. Polls rather than awaiting the availability stream, so a client
    /// that was shut down (and never returns) leaves the writer idle until it is cancelled.
    private func pauseUntilAvailable() async {
        journal.sync()
        while !client.isAvailable && !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            journal.sync()
        }
    }

    /// A batch PostgreSQL refused: apply each change alone, so one bad change (a bug: the
    /// SQLSTATE is logged) does not hold back the others.
    private func applyOneByOne(_ batch: [CatalogJournal.Entry]) async {
        for entry in batch {
            while true {
                let change = entry.change
                do throws(PostgresError) {
                    try await client.transaction { connection throws(PostgresError) in try change.apply(on: connection)
                    }
                    settle(1, rejected: 0)
                } catch  where error.isConnectionFailure {
                    await pauseUntilAvailable()
                    if Task.isCancelled { return }
                    continue
                } catch {
                    logger.error(
                        "catalog: PostgreSQL refused change \(entry.seq) for recording \(change.recording?.uuidString ?? "(all of a node)"): \(error)"
                    )
                    settle(1, rejected: 1)
                }
                break
            }
        }
    }

    /// Removes `count` applied changes from the front; refills from the journal when memory
    /// has emptied with changes waiting there; empties the journal when nothing is pending.
    private func settle(_ count: Int, rejected: Int) {
        // Outside the lock: `record` never waits for a disk flush.
        journal.sync()
        let problem: String? = backlog.withLock { state in
            state.memory.removeFirst(count)
            state.pending -= count
            state.applied += count - rejected
            state.rejected += rejected
            if state.memory.isEmpty, let offset = state.spilledAt {
                do {
                    (state.memory, state.spilledAt) = try journal.read(at: offset, limit: configuration.memoryLimit)
                } catch {
                    return "catalog journal: cannot read back spilled changes: \(error)"
                }
            }
            if state.memory.isEmpty && state.spilledAt == nil {
                state.oldestSince = nil
                do { try journal.truncate() } catch { return "\(error)" }
            } else {
                state.oldestSince = .now
            }
            return nil
        }
        if let problem { logger.error("\(problem)") }
    }
}
