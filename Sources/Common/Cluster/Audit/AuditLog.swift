import Synchronization

/// The audit log's Redis side (issue 15, item 5): every record is one entry of the stream
/// `{audit}:log`, appended with `XADD ... MAXLEN ~ 100000`, so the newest hundred thousand calls
/// (at least) are kept and trimming costs nothing per call. Entry ids are Redis's millisecond
/// clock, which is what `meshcast audit --since` reads from.
///
/// ``record(_:)`` never waits: it queues the record (up to 10,000; beyond that the newest are
/// dropped and counted) for the writer, ``run()``, which appends them in order and, while Redis is
/// away, waits for it and retries the same record. Without Redis (a single node) there is no
/// stream: the node's log line (MeshControl writes one per record) is the audit log.
public final class AuditLog: Sendable {
    /// The Redis stream key.
    public static let streamKey = "{audit}:log"
    /// The approximate number of entries the stream keeps.
    public static let maximumLength = 100_000
    /// The records queued at most while the writer is behind.
    public static let queueLimit = 10_000

    /// The mesh's Redis, when there is one.
    public let redis: RedisClient?
    private let records: AsyncStream<AuditRecord>
    private let continuation: AsyncStream<AuditRecord>.Continuation
    private let counts = Mutex(Counts())

    /// What the writer did, for `/metrics` and tests.
    public struct Counts: Sendable, Equatable {
        /// Records appended to Redis.
        public var written = 0
        /// Records dropped because the queue was full or Redis refused them (not an outage).
        public var dropped = 0
    }

    /// The counts so far.
    public var snapshot: Counts { counts.withLock { $0 } }

    /// A log that appends to `redis`, or keeps nothing without it.
    public init(redis: RedisClient?) {
        self.redis = redis
        (records, continuation) = AsyncStream.makeStream(
            of: AuditRecord.self, bufferingPolicy: .bufferingOldest(Self.queueLimit))
    }

    /// Queues `record` for the writer; returns at once.
    public func record(_ record: AuditRecord) {
        guard redis != nil else { return }
        if case .dropped = continuation.yield(record) {
            counts.withLock { $0.dropped += 1 }
        }
    }

    /// Appends queued records until the task is cancelled or ``finish()`` was called and the
    /// queue is empty.
    public func run() async {
        guard let redis else { return }
        for await record in records {
            while !Task.isCancelled {
                do throws(RedisError) {
                    try await Self.append(record, to: redis)
                    counts.withLock { $0.written += 1 }
                    break
                } catch let error where error.isConnectionFailure {
                    // The client may learn of the outage a moment after the call failed.
                    try? await Task.sleep(for: .milliseconds(100))
                    await redis.waitUntil(available: true)
                } catch {
                    // Redis refused the entry itself (a bug, or an out-of-memory Redis): retrying
                    // would block every later record behind it.
                    counts.withLock { $0.dropped += 1 }
                    break
                }
            }
        }
    }

    /// Ends the queue: ``run()`` returns once what is queued is written.
    public func finish() {
        continuation.finish()
    }

    /// Appends one record to `client`'s audit stream now (commands such as `meshcast node drain`
    /// write their own).
    public static func append(_ record: AuditRecord, to client: RedisClient) async throws(RedisError) {
        _ = try await client.command(["XADD", streamKey, "MAXLEN", "~", String(maximumLength), "*"] + record.fields)
    }

    /// The records from `since` (milliseconds since 1970; the oldest kept when `nil`) on, oldest
    /// first, at most `limit`, and only `actor`'s when given.
    public static func read(
        from client: RedisClient, since: Int64?, actor: String?, limit: Int
    ) async throws(RedisError) -> [AuditRecord] {
        var found: [AuditRecord] = []
        var start = since.map { String(max($0, 0)) } ?? "-"
        // Pages of 1000 so that a filter over a long log does not ask for all of it at once.
        while found.count < limit {
            let page = try await entries(from: client, start: start, count: 1000)
            for entry in page where actor == nil || entry.record.actor == actor {
                found.append(entry.record)
                if found.count == limit { break }
            }
            guard page.count == 1000, let last = page.last else { break }
            start = "(" + last.id
        }
        return found
    }

    /// Up to `count` entries of the stream from `start` (an `XRANGE` start: `-`, an id, or
    /// `(id` for after it), oldest first, with their ids; entries missing a field are skipped.
    public static func entries(
        from client: RedisClient, start: String, count: Int
    ) async throws(RedisError) -> [(id: String, record: AuditRecord)] {
        let reply = try await client.command(["XRANGE", streamKey, start, "+", "COUNT", String(count)])
        guard let entries = reply.array else { throw .unexpectedReply("XRANGE did not return an array") }
        var found: [(id: String, record: AuditRecord)] = []
        for entry in entries {
            guard let parts = entry.array, parts.count == 2, let id = parts[0].string, let flat = parts[1].array
            else { throw .unexpectedReply("XRANGE entry is not [id, [field, value, ...]]") }
            var fields: [String: String] = [:]
            for index in stride(from: 0, to: flat.count - 1, by: 2) {
                if let name = flat[index].string, let value = flat[index + 1].string { fields[name] = value }
            }
            if let record = AuditRecord(fields: fields) { found.append((id, record)) }
        }
        return found
    }
}
