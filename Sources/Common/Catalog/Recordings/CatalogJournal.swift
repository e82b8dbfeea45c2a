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
        descriptor = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure(description: "cannot open \(url.path): \(Self.errorText())") }
        encoder.dateEncodingStrategy = .secondsSince1970
    }

    deinit {
        close(descriptor)
    }

    /// Appends one entry as a line.
    func append(_ entry: Entry) throws(Failure) {
        var line: Data
        do {
            line = try encoder.encode(entry)
        } catch {
            throw Failure(description: "cannot encode change \(entry.seq): \(error)")
        }
        line.append(0x0A)
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count else {
            throw Failure(
                description: "cannot append to \(url.path): \(written < 0 ? Self.errorText() : "short write")")
        }
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

    /// Every entry with `seq >= from`, in order, plus whether the last line was torn (a crash
    /// in the middle of a write; the change it held was never accepted, so it is dropped). A
    /// malformed line elsewhere is not ours to guess at: it throws, naming the line.
    func read(from first: UInt64 = 0) throws(Failure) -> (entries: [Entry], tornTail: Bool) {
        try Self.read(url, from: first)
    }

    /// ``read(from:)`` on the file at `url`, before a journal is opened on it.
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
