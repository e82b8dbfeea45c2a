import Foundation
import Glibc

/// The outbox's append-only file: one JSON line per catalog change (`{"seq":N,"change":...}`),
/// written before the change is accepted, emptied once every change in it is in PostgreSQL.
/// A recorder restarted during a PostgreSQL outage reads it back and loses nothing.
///
/// Lines are appended with `write(2)` to an `O_APPEND` descriptor, so they survive the
/// process (a crash, `kill -9`) as soon as the call returns; `fsync` runs when the outbox asks
/// (`sync()`, after each applied batch and once a second during an outage), so a machine
/// crash loses at most about a second of changes.
///
/// `@unchecked Sendable`: `RecordingCatalog` calls `append`, `read` and `truncate` only under its
/// backlog lock (the encoder and decoder are not thread-safe); `sync` and `size` are single
/// system calls on the descriptor, safe from any thread.
final class CatalogJournal: @unchecked Sendable {
    /// The journal could not be opened, written or read.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// One journalled change.
    struct Entry: Codable, Equatable {
        var seq: UInt64
        var change: CatalogChange
    }

    let url: URL
    private let descriptor: Int32
    private let encoder = JSONEncoder()

    /// Opens (creating) the journal at `url`.
    init(url: URL) throws(Failure) {
        self.url = url
        descriptor = open(url.path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure(description: "cannot open \(url.path): \(Self.errorText())") }
        encoder.dateEncodingStrategy = .secondsSince1970
    }

    deinit {
        close(descriptor)
    }

    /// Appends one entry as a line; returns the offset where the line starts. A failed write
    /// is cut off again, so a half line never glues onto the next one.
    @discardableResult
    func append(_ entry: Entry) throws(Failure) -> Int64 {
        let start = size
        var line: Data
        do {
            line = try encoder.encode(entry)
        } catch {
            throw Failure(description: "cannot encode change \(entry.seq): \(error)")
        }
        line.append(0x0A)
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count else {
            let reason = written < 0 ? Self.errorText() : "short write"
            _ = ftruncate(descriptor, off_t(start))
            throw Failure(description: "cannot append to \(url.path): \(reason)")
        }
        return start
    }

    /// Up to `limit` entries from the line that starts at byte `offset`, and the offset of the
    /// line after them (nil when they run to the end). Reads only as far as it needs, in 1 MiB
    /// chunks, so reading a long spill back a piece at a time stays linear.
    func read(at offset: Int64, limit: Int) throws(Failure) -> (entries: [Entry], next: Int64?) {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        let end = size
        var entries: [Entry] = []
        var position = offset
        var pending = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var readAt = offset
        while entries.count < limit && position < end {
            if let newline = pending.firstIndex(of: 0x0A) {
                let line = pending[pending.startIndex..<newline]
                guard let entry = try? decoder.decode(Entry.self, from: line) else {
                    throw Failure(description: "\(url.path) at byte \(position) is not a catalog change")
                }
                entries.append(entry)
                position += Int64(line.count + 1)
                pending.removeSubrange(pending.startIndex...newline)
                continue
            }
            let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(readAt)) }
            guard count > 0 else { throw Failure(description: "\(url.path) ends inside a line at byte \(readAt)") }
            pending.append(contentsOf: chunk[0..<count])
            readAt += Int64(count)
        }
        return (entries, position < end ? position : nil)
    }

    /// Flushes what was appended to the disk.
    func sync() {
        fsync(descriptor)
    }

    /// Empties the journal (every change in it is applied).
    func truncate() throws(Failure) {
        guard ftruncate(descriptor, 0) == 0 else {
            throw Failure(description: "cannot empty \(url.path): \(Self.errorText())")
        }
    }

    /// The journal's size in bytes.
    var size: Int64 {
        var status = stat()
        return fstat(descriptor, &status) == 0 ? Int64(status.st_size) : 0
    }

    /// Replaces the file at `url` with `entries` atomically (a temporary file, `fsync`, then
    /// `rename`): a crash while a journal is being compacted leaves the old one or the new one.
    static func replace(_ url: URL, with entries: [Entry]) throws(Failure) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        var data = Data()
        for entry in entries {
            guard let line = try? encoder.encode(entry) else {
                throw Failure(description: "cannot encode change \(entry.seq)")
            }
            data.append(line)
            data.append(0x0A)
        }
        let temporary = url.appendingPathExtension("new")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure(description: "cannot write \(temporary.path)") }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == data.count, synced, rename(temporary.path, url.path) == 0 else {
            throw Failure(description: "cannot replace \(url.path): \(String(cString: strerror(errno)))")
        }
    }

    /// Every entry of the file at `url` with `seq >= first`, in order, plus whether the last
    /// line was torn (a crash in the middle of a write; the change it held was never accepted,
    /// so it is dropped). A malformed line elsewhere is not ours to guess at: it throws, naming
    /// the line. Run once, before a journal is opened on the file.
    static func read(_ url: URL, from first: UInt64 = 0) throws(Failure) -> (entries: [Entry], tornTail: Bool) {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw Failure(description: "cannot read \(url.path): \(error.localizedDescription)")
        }
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        var entries: [Entry] = []
        var torn = false
        for (number, line) in lines.enumerated() where !line.isEmpty {
            guard let entry = try? decoder.decode(Entry.self, from: line) else {
                // Only the last line can be torn: it has no newline after it.
                if number == lines.count - 1 {
                    torn = true
                    continue
                }
                throw Failure(description: "\(url.path) line \(number + 1) is not a catalog change")
            }
            if entry.seq >= first { entries.append(entry) }
        }
        return (entries, torn)
    }

    private static func errorText() -> String {
        String(cString: strerror(errno))
    }
}
