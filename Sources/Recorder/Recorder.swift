import Foundation
import Logging
import MeshCascade
import MeshCatalog
import MeshCluster
import MeshRTC
import ServiceLifecycle
import Synchronization

/// Why a recording could not be started or stopped; each case is one HTTP status.
enum RecorderError: Error, Equatable, CustomStringConvertible {
    /// The stream is not published anywhere (404).
    case unknownStream(String)
    /// The stream is being recorded here already (409), by this recording.
    case alreadyRecording(UUID)
    /// Not now (503): the mesh cannot bring the stream here, or the recorder is stopping.
    case unavailable(String)
    /// The storage has no room (507).
    case storageFull(String)

    var description: String {
        switch self {
        case .unknownStream(let name): "stream '\(name)' is not published"
        case .alreadyRecording(let id): "the stream is already being recorded (\(id.uuidString.lowercased()))"
        case .unavailable(let reason), .storageFull(let reason): reason
        }
    }
}

/// A recorder node's recordings: it starts them (through the API or the topology's
/// `policies.record` patterns), pulls each stream over a relay link like an edge does
/// (``MeshCoordinator/carry(_:)``), taps it (``StreamTap``), writes it (``ActiveRecording`` on
/// the ``RecordingPump``) and stops it when asked or when the stream ends. On start it recovers
/// what an earlier run left open (``StorageRecovery``). It is the role's service in the node's
/// group, so its recordings close before the engine stops.
final class Recorder: Service, Sendable {
    /// How often the policy and the streams' ends are checked.
    static let policyInterval = Duration.milliseconds(250)

    let nodeID: String
    let storage: String
    let segmentSeconds: Int
    let catalog: RecordingCatalog
    let engine: MediaEngine
    /// Clients publishing straight to this recorder (`/v1/recordings/ingest`).
    let ingests: DirectIngests
    private let coordinator: MeshCoordinator?
    private let directory: StreamDirectory?
    private let claims: PublisherClaims?
    private let topology: @Sendable () -> Topology
    private let logger: Logger
    private let pump = RecordingPump()
    private let sweeper: RetentionSweeper
    /// Post-processing (MP4) jobs of this node's recordings.
    let jobs: MP4JobRunner
    /// Counters for `/metrics`.
    let metrics = RecorderMetrics()
    private let active = Mutex<[UUID: ActiveRecording]>([:])
    /// Streams whose start failed lately, so the policy loop does not log every 250 ms.
    private let refused = Mutex<[String: ContinuousClock.Instant]>([:])
    /// Since when each recorded stream has had no publisher (its claim gone).
    private let unpublishedSince = Mutex<[String: ContinuousClock.Instant]>([:])
    /// How long a recorded stream may have no publisher before its recording stops: a publisher
    /// that reconnects at once keeps its recording (the gap is catalogued).
    static let publisherAbsence = Duration.milliseconds(1500)
    private let stopping = Atomic<Bool>(false)

    init(
        parts: RoleNodeParts, storage: String, segmentSeconds: Int, sharedRoot: String? = nil,
        catalog: RecordingCatalog
    ) {
        nodeID = parts.settings.node.id
        self.storage = storage
        self.segmentSeconds = segmentSeconds
        self.catalog = catalog
        engine = parts.engine
        coordinator = parts.coordinator
        directory = parts.redis.map { StreamDirectory(client: $0) }
        claims = parts.redis.map { PublisherClaims(client: $0) }
        topology = parts.topology
        logger = parts.logger
        ingests = DirectIngests(engine: parts.engine)
        sweeper = RetentionSweeper(nodeID: nodeID, storage: storage, catalog: catalog, logger: parts.logger)
        jobs = MP4JobRunner(
            nodeID: nodeID, storage: storage, sharedRoot: sharedRoot, catalog: catalog, logger: parts.logger)
    }

    /// Recovers the storage, then records by policy until the node stops; then closes every
    /// recording and gives the catalog a few seconds to write its last rows.
    func run() async throws {
        let recovered = StorageRecovery.run(storage: storage, catalog: catalog, logger: logger)
        // What recovery could not see: recordings a crash cut off before their first segment,
        // or between two. After recovery's own changes, before any new recording's.
        catalog.recordingsInterrupted(
            node: nodeID, error: "interrupted: the recorder stopped without closing it (no open segment to recover)")
        if recovered.recovered + recovered.refused + recovered.empty > 0 {
            logger.notice(
                "storage \(storage): recovered \(recovered.recovered) open segment(s), \(recovered.empty) empty, refused \(recovered.refused)"
            )
        }
        pump.start()
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        await self.followPolicy()
                        try? await Task.sleep(for: Self.policyInterval)
                    }
                }
                // A direct ingest whose publisher session ended on its own (the client went
                // away, ICE failed) ends its recording.
                group.addTask {
                    for await session in self.ingests.endedSessions {
                        guard let id = self.ingests.recording(ofSession: session) else { continue }
                        await self.stop(id, reason: "the ingest's publisher left")
                    }
                }
                // Apart from the policy, so deleting a large recording never delays a start.
                group.addTask {
                    while !Task.isCancelled {
                        let running = Set(self.recordings.map(\.id))
                        let expired = await self.sweeper.sweep(self.topology().policies, running: running)
                        self.metrics.expired.add(expired.count, ordering: .relaxed)
                        try? await Task.sleep(for: RetentionSweeper.interval)
                    }
                }
                // ffmpeg runs as a child process; this task only waits for it.
                group.addTask { await self.jobs.run() }
            }
        }
        stopping.store(true, ordering: .relaxed)
        for recording in active.withLock({ Array($0.values) }) {
            await stop(recording.id, reason: "the recorder is stopping")
        }
        ingests.finish()
        pump.stop()
        if !(await catalog.waitUntilApplied(timeout: .seconds(3))) {
            logger.warning("catalog: \(catalog.lag.pending) change(s) still in the journal; written at the next start")
        }
        await catalog.shutdown()
    }

    /// `/metrics` lines: recordings, segments, bytes, gaps, write latency, catalog lag.
    func metricsText() -> String {
        let running = recordings
        let lag = catalog.lag
        let behind = lag.behindFor.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } ?? 0
        return metrics.prometheusText(
            active: running.count, tapDrops: running.map(\.tap.dropped).reduce(0, +), catalogPending: lag.pending,
            catalogBehind: behind, rejected: lag.rejected) + jobs.metricsText()
    }

    /// `http://host:port` of a node's API, from the topology in force.
    func apiBase(of node: String) -> String? {
        topology().node(id: node).map { "http://\($0.api)" }
    }

    /// The recordings running here.
    var recordings: [ActiveRecording] { active.withLock { Array($0.values) } }

    /// Starts recording `stream`: joins its tree, taps it (the best live layer of each track, or
    /// every simulcast layer, as `layers` says), catalogues the recording.
    func start(stream: String, policy: String? = nil, layers: RecordingLayers = .top) async throws(RecorderError)
        -> UUID
    {
        guard !stopping.load(ordering: .relaxed) else { throw .unavailable("the recorder is stopping") }
        if let running = active.withLock({ $0.values.first { $0.stream == stream } }) {
            throw .alreadyRecording(running.id)
        }
        if let full = StorageSpace.refusal(storage) { throw .storageFull(full) }
        if let coordinator, let problem = await coordinator.carry(stream) {
            if problem.contains("not published") { throw .unknownStream(stream) }
            throw .unavailable(problem)
        }
        let tap: StreamTap
        do {
            tap = try await engine.addTap(stream: stream, layers: layers == .all ? .all : .top)
        } catch {
            if case .unknownStream = error { throw .unknownStream(stream) }
            throw .unavailable(error.description)
        }
        return try await begin(stream: stream, tap: tap, policy: policy, layers: layers, direct: false)
    }

    /// Records what `tap` delivers as a recording of `stream`: catalogues it and hands it to the
    /// pump. `direct`: a client publishing straight to this recorder (``DirectIngests``),
    /// which the policy never stops. The tap is removed when this throws.
    func begin(stream: String, tap: StreamTap, policy: String?, layers: RecordingLayers, direct: Bool)
        async throws(RecorderError) -> UUID
    {
        guard !stopping.load(ordering: .relaxed) else {
            await engine.removeTap(tap)
            throw .unavailable("the recorder is stopping")
        }
        if let running = active.withLock({ $0.values.first { $0.stream == stream } }) {
            await engine.removeTap(tap)
            throw .alreadyRecording(running.id)
        }
        let id = catalog.recordingStarted(stream: stream, node: nodeID, policy: policy, layers: layers)
        let recording = ActiveRecording(
            id: id, stream: stream, policy: policy, tap: tap, storage: storage, segmentSeconds: segmentSeconds,
            catalog: catalog, metrics: metrics, logger: logger, direct: direct)
        let raced = active.withLock { active -> Bool in
            if active.values.contains(where: { $0.stream == stream }) { return true }
            active[id] = recording
            return false
        }
        if raced {
            await engine.removeTap(tap)
            catalog.recordingFailed(id, error: "started twice at once; the other one records", bytes: 0, duration: 0)
            throw .alreadyRecording(id)
        }
        do {
            try FileManager.default.createDirectory(
                atPath: "\(storage)/\(id.uuidString.lowercased())", withIntermediateDirectories: true)
        } catch {
            logger.error("recording \(id): cannot create its directory: \(error)")
        }
        pump.add(recording)
        let why = policy.map { "policy '\($0)'" } ?? (direct ? "direct ingest" : "API request")
        logger.info(
            "recording \(id.uuidString.lowercased()) of '\(stream)' started (\(why), layers: \(layers.rawValue))")
        return id
    }

    /// Stops recording `id` and returns its stream; nil when it is not running here (stopped
    /// already, or unknown).
    @discardableResult
    func stop(_ id: UUID, reason: String) async -> String? {
        guard let recording = active.withLock({ $0.removeValue(forKey: id) }) else { return nil }
        await engine.removeTap(recording.tap)
        await pump.finish(recording)
        if recording.direct { await ingests.end(id) }
        let failed = recording.failed.load(ordering: .relaxed) ? "; writing failed" : ""
        let seconds = (recording.duration * 100).rounded() / 100
        // After the recording's end in the outbox, so the job is never claimed before the
        // catalog says it stopped.
        if let policy = recording.policy, let mode = topology().policies.mp4(forPolicy: policy) {
            let job = catalog.jobQueued(mode == .remux ? .remuxMP4 : .transcodeMP4, recording: id)
            logger.info(
                "recording \(id.uuidString.lowercased()): \(mode.rawValue) to MP4 queued (job \(job.uuidString.lowercased()))"
            )
        }
        logger.info(
            "recording \(id.uuidString.lowercased()) of '\(recording.stream)' stopped (\(reason)): \(recording.bytes) bytes, \(seconds) s\(failed)"
        )
        return recording.stream
    }

    /// A direct ingest's recording `id` goes on with `tap` (its renegotiated session's): the
    /// open segment closes and the next opens on the new tracks. False when `id` is not running
    /// here any more (the caller removes the tap).
    func switchTap(of id: UUID, to tap: StreamTap) async -> Bool {
        guard let recording = active.withLock({ $0[id] }) else { return false }
        let old = recording.tap
        await pump.switchTap(of: recording, to: tap)
        await engine.removeTap(old)
        logger.info(
            "recording \(id.uuidString.lowercased()) of '\(recording.stream)' renegotiated: \(tap.tracks.count) track(s)"
        )
        return true
    }

    /// Whether the storage refuses new recordings now, and why.
    var storageRefusal: String? { StorageSpace.refusal(storage) }

    /// One round of the policy: streams whose publisher is live (claimed on an origin) that match
    /// `policies.record` and fall to this recorder start; recordings whose stream has had no
    /// publisher for ``publisherAbsence`` stop.
    private func followPolicy() async {
        guard let directory, let claims, let names = try? await directory.streams() else { return }
        let now = ContinuousClock.now
        let wallNow = UInt64(Date().timeIntervalSince1970 * 1000)
        var live: Set<String> = []
        for name in names where (try? await claims.isClaimed(name, now: wallNow)) == true { live.insert(name) }
        for recording in recordings {
            if recording.failed.load(ordering: .relaxed) {
                await stop(recording.id, reason: "writing failed")
                continue
            }
            // A direct ingest's stream is not in the mesh: it ends with its session.
            if recording.direct { continue }
            let since = unpublishedSince.withLock { absent -> ContinuousClock.Instant? in
                if live.contains(recording.stream) {
                    absent[recording.stream] = nil
                    return nil
                }
                if absent[recording.stream] == nil { absent[recording.stream] = now }
                return absent[recording.stream]
            }
            if let since, since.duration(to: now) >= Self.publisherAbsence {
                unpublishedSince.withLock { _ = $0.removeValue(forKey: recording.stream) }
                await stop(recording.id, reason: "the stream ended")
            }
        }
        let topology = topology()
        for name in live.sorted() {
            guard let pattern = topology.policies.record.first(where: { $0.matches(name) }),
                RecorderChoice.recorder(for: name, in: topology) == nodeID,
                !active.withLock({ $0.values.contains { $0.stream == name } })
            else { continue }
            if let last = refused.withLock({ $0[name] }), last.duration(to: now) < .seconds(2) { continue }
            do throws(RecorderError) {
                let layers: RecordingLayers = topology.policies.recordsAllLayers(forPolicy: pattern.text) ? .all : .top
                _ = try await start(stream: name, policy: pattern.text, layers: layers)
                refused.withLock { _ = $0.removeValue(forKey: name) }
            } catch {
                if case .alreadyRecording = error { continue }
                refused.withLock { $0[name] = now }
                logger.warning("policy '\(pattern.text)': cannot record '\(name)' yet: \(error)")
            }
        }
    }
}
