import Foundation
import Logging
import MeshCluster
import MeshCrypto
import MeshRuntime
import Synchronization

/// A node's media engine: its workers, their sessions and the streams they carry. It answers
/// the HTTP side through ``MediaNodeControl``; each call runs on the worker owning the session.
public final class MediaEngine: MediaNodeControl, @unchecked Sendable {
    /// The node's id.
    public let nodeID: String
    /// The node's role.
    public let role: String
    let configuration: MediaEngineConfiguration
    /// Where the engine and its workers read the time (``SystemClock``, or a test's manual clock).
    let clock: any MonotonicClock
    private(set) var workers: [WorkerMedia] = []
    let certificate: DTLSCertificate
    let negotiator = SessionNegotiator()
    let registry: StreamRegistry
    let logger: Logger
    /// Each session's worker, stream and role: the one place a session is looked up
    /// (`MediaEngine+SessionAccess.swift`), and where a new one goes (``SessionPlaces``).
    let sessions: Mutex<SessionPlaces>
    /// Who is told when a session ends (the TURN relay ends the allocations minted for it).
    let sessionEndObservers = Mutex<[@Sendable (String) -> Void]>([])
    /// Which worker owns each relay link end.
    let linkWorkers = Mutex<[String: Int]>([:])
    /// Test fault drop rates by downstream node, for links opened after the fault.
    let testLinkDrops = Mutex<[String: Double]>([:])
    private let nextLinkWorker = Atomic<Int>(0)
    let running = Atomic<Bool>(false)
    /// The hop trace, when `MESHCAST_TRACE_HOPS` asked for one.
    let trace: HopTrace?
    private let eventStream: AsyncStream<MeshDataEvent>
    private let eventSink: AsyncStream<MeshDataEvent>.Continuation

    /// Creates the engine over started workers; call ``start()`` to bind the ports.
    public convenience init(configuration: MediaEngineConfiguration, group: WorkerGroup, logger: Logger) throws {
        try self.init(configuration: configuration, loops: group.workers, clock: SystemClock(), logger: logger)
    }

    /// Creates the engine over `loops` (libuv workers, or an embedded runtime in tests) reading
    /// time from `clock`; call ``start()`` to bind the ports.
    public init(
        configuration: MediaEngineConfiguration, loops: [any MediaLoop], clock: any MonotonicClock, logger: Logger
    )
        throws
    {
        self.configuration = configuration
        nodeID = configuration.nodeID
        role = configuration.role
        self.clock = clock
        self.logger = logger
        sessions = Mutex(SessionPlaces(workers: loops.count, streamFill: configuration.streamFill))
        certificate = try DTLSCertificate.generateSelfSigned()
        registry = StreamRegistry(
            graceSeconds: configuration.streamGraceSeconds,
            declaredStreamTTLSeconds: configuration.declaredStreamTTLSeconds, limits: configuration.limits)
        trace = configuration.hopTracePath.map { HopTrace(path: $0, workers: loops.count) }
        (eventStream, eventSink) = AsyncStream.makeStream(
            of: MeshDataEvent.self, bufferingPolicy: .bufferingNewest(4096))
        workers = loops.enumerated().map { index, loop in
            WorkerMedia(
                index: index, loop: loop, port: configuration.firstPort &+ UInt16(index), engine: self, logger: logger)
        }
    }

    /// Binds every worker's UDP port and starts its timers.
    public func start() async throws {
        let host = configuration.mediaHost
        for media in workers {
            try await media.loop.run { try media.start(host: host) }
            logger.info("worker \(media.index) listening on udp \(host):\(media.port)")
        }
        let all = workers
        for media in workers { try await media.loop.run { media.connect(to: all) } }
        running.store(true, ordering: .releasing)
    }

    /// Ends every session (DTLS close_notify to each peer); the workers stop afterwards.
    public func shutdown() async {
        running.store(false, ordering: .releasing)
        for media in workers {
            _ = try? await media.loop.run { media.closeAllSessions(reason: "node shutting down") }
        }
        eventSink.finish()
        if let trace, let path = configuration.hopTracePath {
            do {
                try trace.write()
                logger.info("hop trace written to \(path)")
            } catch {
                logger.error("could not write the hop trace to \(path): \(error)")
            }
        }
    }

    // MARK: MediaNodeControl

    public func isReady() async -> Bool { running.load(ordering: .acquiring) }

    public func publish(stream: String, offer: String, client: String) async throws(SessionRequestError)
        -> SessionAnswer
    {
        try await publish(stream: stream, offer: offer, client: client, announced: true)
    }

    /// Starts a publisher session like ``publish(stream:offer:client:)``; unless `announced`,
    /// the stream is this node's alone (a recorder's direct ingest): the coordinator is not
    /// told, and the mesh status leaves it out, so it is never registered, claimed or relayed.
    /// Taps take it like any stream carried here.
    public func publish(stream: String, offer: String, client: String, announced: Bool)
        async throws(SessionRequestError) -> SessionAnswer
    {
        try checkRunning()
        let sessionID = SessionIdentifier.generate()
        let media = place(SessionAddress(id: sessionID, stream: stream, role: .publisher))
        var created = false
        defer { if !created { forgetPlace(of: sessionID) } }
        let credentials = ICECredentials.generate()
        let negotiated = try negotiate(offer, role: .publisher, stream: stream, credentials: credentials, on: media)
        let live = try registry.reservePublisher(stream, session: sessionID, local: !announced)
        let meshSSRCs = registry.meshSSRCs(for: stream, keys: MeshTrackCatalog.layerKeys(of: negotiated))
        let tracks: [PublishedTrack]
        do {
            tracks = try await media.loop.run {
                try media.createPublisher(
                    id: sessionID, stream: live, negotiated: negotiated, credentials: credentials, client: client,
                    meshSSRCs: meshSSRCs)
            }
        } catch {
            registry.publisherEnded(stream, session: sessionID, now: clock.now())
            throw .unavailable("could not start the session: \(error)")
        }
        created = true
        let record = MeshTrackCatalog.record(
            name: stream, originNode: nodeID, tracks: tracks, startedAt: UInt64(Date().timeIntervalSince1970 * 1000))
        registry.publisherLive(stream, session: sessionID, tracks: tracks, record: record, local: !announced)
        for worker in workers {
            worker.loop.post {
                worker.follow(live, to: tracks, newPublisher: true)
            }
        }
        if announced { emit(.streamPublished(record)) }
        logger.info(
            "publisher session created",
            metadata: [
                "session": "\(sessionID)", "stream": "\(stream)", "client": "\(client)", "worker": "\(media.index)",
                "tracks": "\(tracks.map { "\($0.kind.rawValue)/\($0.codec.kind.rawValue)x\($0.layers.count)" })",
            ])
        return SessionAnswer(sessionID: sessionID, sdp: negotiated.answer, tag: "\(sessionID)-0")
    }

    public func view(stream: String, offer: String, client: String, options: ViewerOptions)
        async throws(SessionRequestError) -> SessionAnswer
    {
        try checkRunning()
        let sessionID = SessionIdentifier.generate()
        let media = place(SessionAddress(id: sessionID, stream: stream, role: .viewer))
        var created = false
        defer { if !created { forgetPlace(of: sessionID) } }
        let credentials = ICECredentials.generate()
        let live = try registry.admitViewer(stream, session: sessionID, now: clock.now())
        let negotiated: NegotiatedSession
        do {
            negotiated = try negotiate(offer, role: .viewer, stream: stream, credentials: credentials, on: media)
            try await media.loop.run {
                try media.createViewer(
                    id: sessionID, stream: live, negotiated: negotiated, credentials: credentials, client: client,
                    options: options)
            }
        } catch {
            registry.viewerEnded(stream, session: sessionID, now: clock.now())
            if let error = error as? SessionRequestError { throw error }
            throw .unavailable("could not start the session: \(error)")
        }
        created = true
        logger.info(
            "viewer session created",
            metadata: [
                "session": "\(sessionID)", "stream": "\(stream)", "client": "\(client)", "worker": "\(media.index)",
            ])
        return SessionAnswer(sessionID: sessionID, sdp: negotiated.answer, tag: "\(sessionID)-0")
    }

    /// New limits (a topology change); sessions already admitted stay.
    public func updateLimits(_ limits: SessionLimits) {
        registry.limits.withLock { $0 = limits }
    }

    public func declareStream(_ stream: String) async {
        registry.declare(stream, now: clock.now())
    }

    /// Changes how long an unused declared stream stays known (a new topology's
    /// `policies.declared_stream_ttl_seconds`); streams declared earlier follow the new value.
    public func setDeclaredStreamTTL(seconds: Double) {
        registry.setDeclaredStreamTTL(seconds: seconds)
    }

    public func health() async -> NodeHealth {
        var sessions = 0
        for media in workers {
            sessions += (try? await media.loop.run { media.sessionsByID.count }) ?? 0
        }
        let live = registry.snapshot().filter(\.live).count
        return NodeHealth(node: nodeID, role: role, workers: workers.count, sessions: sessions, streams: live)
    }

    public func metrics() async -> NodeMetrics {
        var metrics = NodeMetrics()
        for media in workers {
            guard let snapshot = try? await media.loop.run({ media.metricsSnapshot() }) else { continue }
            metrics.publishers += snapshot.publishers
            metrics.viewers += snapshot.viewers
            metrics.workers.append(snapshot.counters)
        }
        metrics.streams = registry.snapshot().filter(\.live).count
        return metrics
    }

    public func streams() async -> [StreamSnapshot] {
        var layerViewers: [ObjectIdentifier: [Int: Int]] = [:]
        for media in workers {
            guard let counts = try? await media.loop.run({ media.viewers.layerViewerCounts() }) else { continue }
            layerViewers.merge(counts) { left, right in left.merging(right, uniquingKeysWith: +) }
        }
        return registry.snapshot().map { entry in
            let tracks = entry.tracks.map { track in
                TrackSnapshot(
                    mid: track.mid, kind: track.kind.rawValue, codec: track.codec.kind.rawValue,
                    layers: track.layers.map { layer in
                        let size = layer.videoDimensions
                        return LayerSnapshot(
                            rid: layer.rid, ssrc: layer.ssrc.load(ordering: .relaxed),
                            bitrate: layer.bitrate.load(ordering: .relaxed),
                            viewers: layerViewers[ObjectIdentifier(track)]?[layer.index] ?? 0,
                            rank: track.layerOrder.rank(of: layer.index) ?? layer.index,
                            width: size.map { Int($0.width) }, height: size.map { Int($0.height) },
                            framesPerSecond: layer.frameRate.load(ordering: .relaxed))
                    })
            }
            return StreamSnapshot(
                name: entry.name, live: entry.live, publishers: entry.publishers, tracks: tracks,
                viewers: entry.viewers)
        }
    }

    // MARK: Called by workers

    /// A session ended on its worker (any reason); forget where it lived.
    func sessionEnded(id: String) {
        forgetPlace(of: id)
        for observer in sessionEndObservers.withLock({ $0 }) { observer(id) }
    }

    /// Calls `observer` with the id of every session that ends, for any reason, on the
    /// worker thread that ended it: the observer must only hand the id on.
    public func observeSessionEnds(_ observer: @escaping @Sendable (String) -> Void) {
        sessionEndObservers.withLock { $0.append(observer) }
    }

    /// A link end closed on its worker; forget where it lived.
    func linkEnded(_ id: String) {
        _ = linkWorkers.withLock { $0.removeValue(forKey: id) }
        sessions.withLock { $0.linkEnded(id) }
    }

    /// Tells the coordinator (``events()``); any thread.
    func emit(_ event: MeshDataEvent) {
        eventSink.yield(event)
    }

    /// The stream of ``MeshDataEvent``s (one consumer).
    public func events() -> AsyncStream<MeshDataEvent> { eventStream }

    // MARK: Helpers

    private func checkRunning() throws(SessionRequestError) {
        guard running.load(ordering: .acquiring) else { throw .unavailable("the node is not running") }
    }

    /// Round robin: relay link ends spread over every worker.
    func pickLinkWorker() -> WorkerMedia {
        let next = nextLinkWorker.wrappingAdd(1, ordering: .relaxed).oldValue
        return workers[next % workers.count]
    }

    private func negotiate(
        _ offer: String, role: NegotiationRole, stream: String, credentials: ICECredentials, on media: WorkerMedia
    ) throws(SessionRequestError) -> NegotiatedSession {
        let local = LocalTransport(
            ufrag: credentials.ufrag, password: credentials.password, fingerprint: certificate.fingerprint.sdpValue,
            candidates: [LocalCandidate(ip: configuration.announceIP, port: media.port)])
        do {
            var generator = SystemRandomNumberGenerator()
            return try negotiator.answer(
                offer: offer, role: role, local: local, streamName: stream,
                makeSSRC: { UInt32.random(in: 1...UInt32.max, using: &generator) })
        } catch {
            throw error.sessionRequestError
        }
    }
}
