import Synchronization

/// A stream as every worker sees it: its name and which workers have viewers of it.
final class LiveStream: @unchecked Sendable {
    /// The stream's name.
    let name: String
    /// Bit *n* is set while worker *n* has at least one viewer attached: the publisher's
    /// worker reads it for every packet and pushes one notice per set bit.
    let viewerWorkers = Atomic<UInt64>(0)

    init(name: String) { self.name = name }
}

/// Which streams the node knows, who publishes them and who watches (control plane only:
/// HTTP handlers and session lifecycle events, never per packet).
final class StreamRegistry: Sendable {
    struct Entry {
        let stream: LiveStream
        var publisherSession: String?
        var tracks: [PublishedTrack] = []
        var declared = false
        var publisherEndedAt: UInt64?
        var viewerSessions: Set<String> = []
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let graceNanoseconds: UInt64

    init(graceSeconds: Double) {
        graceNanoseconds = .seconds(graceSeconds)
    }

    /// Claims `name` for a new publisher; a stream with a live publisher answers 409.
    func reservePublisher(_ name: String, session: String) throws(SessionRequestError) -> LiveStream {
        let result: Result<LiveStream, SessionRequestError> = entries.withLock { entries in
            var entry = entries[name] ?? Entry(stream: LiveStream(name: name))
            if entry.publisherSession != nil { return .failure(.streamAlreadyPublished) }
            entry.publisherSession = session
            entry.tracks = []
            entries[name] = entry
            return .success(entry.stream)
        }
        return try result.get()
    }

    /// The publisher's tracks exist now; returns them for the workers to attach.
    func publisherLive(_ name: String, session: String, tracks: [PublishedTrack]) {
        entries.withLock { entries in
            guard entries[name]?.publisherSession == session else { return }
            entries[name]?.tracks = tracks
            entries[name]?.publisherEndedAt = nil
        }
    }

    /// The publisher left; the stream stays known for the grace period so viewers can wait.
    func publisherEnded(_ name: String, session: String, now: UInt64) {
        entries.withLock { entries in
            guard entries[name]?.publisherSession == session else { return }
            entries[name]?.publisherSession = nil
            entries[name]?.tracks = []
            entries[name]?.publisherEndedAt = now
        }
    }

    /// Declares a stream ahead of its publisher.
    func declare(_ name: String) {
        entries.withLock { entries in
            var entry = entries[name] ?? Entry(stream: LiveStream(name: name))
            entry.declared = true
            entries[name] = entry
        }
    }

    /// Admits a viewer to a live, declared or recently ended stream; anything else is 404.
    func admitViewer(_ name: String, session: String, now: UInt64) throws(SessionRequestError) -> LiveStream {
        let result: Result<LiveStream, SessionRequestError> = entries.withLock { entries in
            guard var entry = entries[name], isKnown(entry, now: now) else { return .failure(.unknownStream) }
            entry.viewerSessions.insert(session)
            entries[name] = entry
            return .success(entry.stream)
        }
        return try result.get()
    }

    /// The tracks viewers of `name` should receive now (empty while no publisher is live).
    func currentTracks(of name: String) -> [PublishedTrack] {
        entries.withLock { $0[name]?.tracks ?? [] }
    }

    /// A viewer left.
    func viewerEnded(_ name: String, session: String) {
        entries.withLock { entries in
            _ = entries[name]?.viewerSessions.remove(session)
        }
    }

    /// Forgets streams nobody publishes, declares or watches once their grace has passed.
    func expire(now: UInt64) {
        entries.withLock { entries in
            entries = entries.filter { _, entry in
                entry.publisherSession != nil || entry.declared || !entry.viewerSessions.isEmpty
                    || isKnown(entry, now: now)
            }
        }
    }

    /// Every known stream, for `/v1/streams` and `/health`.
    func snapshot() -> [(name: String, publisher: String?, tracks: [PublishedTrack], viewers: Int)] {
        entries.withLock { entries in
            entries.keys.sorted().compactMap { name in
                guard let entry = entries[name] else { return nil }
                return (name, entry.publisherSession, entry.tracks, entry.viewerSessions.count)
            }
        }
    }

    private func isKnown(_ entry: Entry, now: UInt64) -> Bool {
        if entry.publisherSession != nil || entry.declared { return true }
        guard let ended = entry.publisherEndedAt else { return false }
        return now &- ended < graceNanoseconds
    }
}
