import MeshCluster
import Synchronization

/// A stream as every worker sees it. Which workers want its packets is kept per layer
/// (``PublishedLayer/consumerWorkers``).
final class LiveStream: @unchecked Sendable {
    /// The stream's name.
    let name: String

    init(name: String) { self.name = name }
}

/// Which streams the node knows, who publishes them and who watches (control plane only:
/// HTTP handlers and session lifecycle events, never per packet).
final class StreamRegistry: Sendable {
    struct Entry {
        let stream: LiveStream
        var publisherSession: String?
        var tracks: [PublishedTrack] = []
        /// When the stream was declared (`PUT /v1/streams/{stream}`) or its last waiting viewer
        /// left, whichever is later; `nil` once a publisher or a link feeds it.
        var declaredIdleSince: UInt64?
        var publisherEndedAt: UInt64?
        var viewerSessions: Set<String> = []
        /// Taps on the stream (recordings): they keep it carried like viewers do.
        var taps = 0
        /// The mesh record while the stream's tracks are here (published or received).
        var record: StreamRecord?
        /// The upstream link feeding the tracks (relay, edge), and the node at its other end.
        var link: (id: String, upstreamNode: String)?
        /// Mesh SSRCs by layer key, kept across a publisher's reconnects so that downstream
        /// hops keep their tracks (origin).
        var meshSSRCs: [String: UInt32] = [:]
        /// Published here for this node alone (a recorder's direct ingest): left out of
        /// ``carriedSnapshot()``, so the coordinator never registers, claims or forwards it.
        var local = false
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let graceNanoseconds: UInt64
    /// What admission checks; a topology change replaces it (``MediaEngine/updateLimits(_:)``).
    let limits: Mutex<SessionLimits>
    /// How long a declared stream with neither publisher nor viewers stays known (ns). Atomic
    /// because a new topology changes it while the workers expire streams.
    private let declaredLifetime: Atomic<UInt64>

    init(
        graceSeconds: Double, declaredStreamTTLSeconds: Double = Double(StreamPolicies.defaultDeclaredStreamTTLSeconds),
        limits: SessionLimits = .unlimited
    ) {
        graceNanoseconds = .seconds(graceSeconds)
        declaredLifetime = Atomic(.seconds(declaredStreamTTLSeconds))
        self.limits = Mutex(limits)
    }

    /// A new lifetime for unused declarations (the topology's `declared_stream_ttl_seconds`);
    /// it applies to streams already declared, from the next expiry pass.
    func setDeclaredStreamTTL(seconds: Double) {
        declaredLifetime.store(.seconds(seconds), ordering: .relaxed)
    }

    /// Claims `name` for a new publisher; a stream with a live publisher answers 409, and a
    /// node at its limits 503. `local`: for this node alone (``Entry/local``).
    func reservePublisher(_ name: String, session: String, local: Bool = false) throws(SessionRequestError)
        -> LiveStream
    {
        let limits = self.limits.withLock { $0 }
        let result: Result<LiveStream, SessionRequestError> = entries.withLock { entries in
            var entry = entries[name] ?? Entry(stream: LiveStream(name: name))
            if entry.publisherSession != nil || entry.link != nil { return .failure(.streamAlreadyPublished) }
            if let refusal = limits.refusalOfPublisher(census: Self.census(entries), local: local) {
                return .failure(.unavailable(refusal))
            }
            entry.publisherSession = session
            entry.tracks = []
            // A declaration only holds the name until the publisher comes; from now on the
            // stream is live, and once the publisher leaves only the grace period keeps it.
            entry.declaredIdleSince = nil
            entries[name] = entry
            return .success(entry.stream)
        }
        return try result.get()
    }

    /// The mesh SSRC of every layer in `keys`, reusing the ones the stream had (a publisher that
    /// reconnects keeps its downstream hops' tracks) and drawing fresh ones, unique on this
    /// node, for the rest.
    func meshSSRCs(for name: String, keys: [String]) -> [String: UInt32] {
        entries.withLock { entries in
            var taken = Set(entries.values.flatMap { $0.meshSSRCs.values })
            var entry = entries[name] ?? Entry(stream: LiveStream(name: name))
            var generator = SystemRandomNumberGenerator()
            for key in keys where entry.meshSSRCs[key] == nil {
                var ssrc: UInt32
                repeat { ssrc = .random(in: 1...UInt32.max, using: &generator) } while taken.contains(ssrc)
                taken.insert(ssrc)
                entry.meshSSRCs[key] = ssrc
            }
            entries[name] = entry
            return entry.meshSSRCs
        }
    }

    /// The publisher's tracks exist now, described for the mesh by `record`.
    /// `local`: for this node alone (``Entry/local``).
    func publisherLive(
        _ name: String, session: String, tracks: [PublishedTrack], record: StreamRecord, local: Bool = false
    ) {
        entries.withLock { entries in
            guard entries[name]?.publisherSession == session else { return }
            entries[name]?.local = local
            entries[name]?.tracks = tracks
            entries[name]?.record = record
            entries[name]?.publisherEndedAt = nil
        }
    }

    /// The publisher left; the stream stays known for the grace period so viewers can wait.
    /// Returns whether `session` was the stream's publisher.
    @discardableResult
    func publisherEnded(_ name: String, session: String, now: UInt64) -> Bool {
        entries.withLock { entries in
            guard entries[name]?.publisherSession == session else { return false }
            entries[name]?.publisherSession = nil
            entries[name]?.tracks = []
            entries[name]?.record = nil
            entries[name]?.publisherEndedAt = now
            return true
        }
    }

    /// The stream's tracks as received over relay links: the existing ones when the stream is
    /// already carried (a failover moves them to another link), else the ones `make` creates.
    /// Fails when a WHIP publisher publishes it here.
    func linkFed(
        _ record: StreamRecord, link: (id: String, upstreamNode: String), make: () -> [PublishedTrack]
    ) throws(LinkError) -> (stream: LiveStream, tracks: [PublishedTrack], previousLink: String?, isNew: Bool) {
        let result: Result<(LiveStream, [PublishedTrack], String?, Bool), LinkError> = entries.withLock {
            entries in
            var entry = entries[record.name] ?? Entry(stream: LiveStream(name: record.name))
            if entry.publisherSession != nil {
                return .failure(.invalid("stream '\(record.name)' is published on this node"))
            }
            let previous = entry.link?.id
            let isNew = entry.tracks.isEmpty || entry.record?.tracks != record.tracks
            if isNew { entry.tracks = make() }
            entry.record = record
            entry.link = link
            entry.publisherEndedAt = nil
            entry.declaredIdleSince = nil
            entries[record.name] = entry
            return .success((entry.stream, entry.tracks, previous, isNew))
        }
        let (stream, tracks, previous, isNew) = try result.get()
        return (stream, tracks, previous, isNew)
    }

    /// Link `id` is gone: the streams it fed keep their tracks (viewers stay attached) until
    /// a new link feeds them or they are dropped. Returns their names.
    @discardableResult
    func linkLost(_ id: String) -> [String] {
        entries.withLock { entries in
            var names: [String] = []
            for (name, entry) in entries where entry.link?.id == id {
                entries[name]?.link = nil
                names.append(name)
            }
            return names
        }
    }

    /// Stops carrying a received stream: its tracks go; viewers still attached see it end.
    func dropReceived(_ name: String, now: UInt64) -> [PublishedTrack] {
        entries.withLock { entries in
            guard let entry = entries[name], entry.publisherSession == nil else { return [] }
            entries[name]?.tracks = []
            entries[name]?.record = nil
            entries[name]?.link = nil
            entries[name]?.publisherEndedAt = now
            return entry.tracks
        }
    }

    /// The stream and its tracks, if the node has them.
    func carried(_ name: String) -> (stream: LiveStream, tracks: [PublishedTrack], record: StreamRecord)? {
        entries.withLock { entries in
            guard let entry = entries[name], let record = entry.record, !entry.tracks.isEmpty else { return nil }
            return (entry.stream, entry.tracks, record)
        }
    }

    /// Every stream with a mesh record, for ``MeshDataStatus``.
    func carriedSnapshot() -> [(
        record: StreamRecord, publisher: Bool, link: (id: String, upstreamNode: String)?, viewers: Int, taps: Int
    )] {
        entries.withLock { entries in
            entries.keys.sorted().compactMap { name in
                guard let entry = entries[name], let record = entry.record, !entry.tracks.isEmpty, !entry.local
                else { return nil }
                return (record, entry.publisherSession != nil, entry.link, entry.viewerSessions.count, entry.taps)
            }
        }
    }

    /// A tap of `name` was added.
    func tapAdded(_ name: String) {
        entries.withLock { $0[name]?.taps += 1 }
    }

    /// A tap of `name` was removed.
    func tapRemoved(_ name: String) {
        entries.withLock { entries in
            if let taps = entries[name]?.taps, taps > 0 { entries[name]?.taps = taps - 1 }
        }
    }

    /// Declares a stream ahead of its publisher, or renews the declaration: it stays known
    /// until it has had neither publisher nor viewers for the declared-stream lifetime. A stream
    /// that is already live stays live.
    func declare(_ name: String, now: UInt64) {
        entries.withLock { entries in
            var entry = entries[name] ?? Entry(stream: LiveStream(name: name))
            if entry.publisherSession == nil && entry.link == nil { entry.declaredIdleSince = now }
            entries[name] = entry
        }
    }

    /// Admits a viewer to a live, declared or recently ended stream; anything else is 404, and
    /// a node or stream at its limits 503.
    func admitViewer(_ name: String, session: String, now: UInt64) throws(SessionRequestError) -> LiveStream {
        let limits = self.limits.withLock { $0 }
        let result: Result<LiveStream, SessionRequestError> = entries.withLock { entries in
            guard var entry = entries[name], isKnown(entry, now: now) else { return .failure(.unknownStream) }
            if let refusal = limits.refusalOfViewer(
                of: name, streamViewers: entry.viewerSessions.count, census: Self.census(entries))
            {
                return .failure(.unavailable(refusal))
            }
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

    /// A viewer left; the last waiting viewer of a declared stream starts its lifetime again.
    func viewerEnded(_ name: String, session: String, now: UInt64) {
        entries.withLock { entries in
            guard var entry = entries[name], entry.viewerSessions.remove(session) != nil else { return }
            if entry.viewerSessions.isEmpty && entry.declaredIdleSince != nil { entry.declaredIdleSince = now }
            entries[name] = entry
        }
    }

    /// Forgets streams nobody publishes, feeds or watches once their grace or their
    /// declaration's lifetime has passed.
    func expire(now: UInt64) {
        entries.withLock { entries in
            entries = entries.filter { _, entry in
                entry.publisherSession != nil || !entry.viewerSessions.isEmpty || entry.record != nil
                    || isKnown(entry, now: now)
            }
        }
    }

    /// Every known stream, for `/v1/streams` and `/health`: counts only, no session ids.
    /// `live`: fed by a publisher here or a relay link.
    func snapshot() -> [(name: String, live: Bool, publishers: Int, tracks: [PublishedTrack], viewers: Int)] {
        entries.withLock { entries in
            entries.keys.sorted().compactMap { name in
                guard let entry = entries[name] else { return nil }
                let publishers = entry.publisherSession == nil ? 0 : 1
                return (
                    name, publishers == 1 || entry.link != nil, publishers, entry.tracks, entry.viewerSessions.count
                )
            }
        }
    }

    /// Publishers and viewers served now; O(streams), which admission (control plane) can afford.
    private static func census(_ entries: [String: Entry]) -> SessionCensus {
        entries.values.reduce(into: SessionCensus()) { census, entry in
            if entry.publisherSession != nil { census.publishers += 1 }
            census.viewers += entry.viewerSessions.count
        }
    }

    /// Whether viewers may join: live, received, declared and not yet expired (waiting viewers
    /// keep a declaration alive), or ended less than the grace period ago.
    private func isKnown(_ entry: Entry, now: UInt64) -> Bool {
        if entry.publisherSession != nil || !entry.tracks.isEmpty { return true }
        if let idleSince = entry.declaredIdleSince,
            !entry.viewerSessions.isEmpty || now &- idleSince < declaredLifetime.load(ordering: .relaxed)
        {
            return true
        }
        guard let ended = entry.publisherEndedAt else { return false }
        return now &- ended < graceNanoseconds
    }
}
