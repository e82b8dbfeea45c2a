import Foundation
import Glibc
import MeshRTC
import MeshRuntime
import Synchronization

/// The Meshcast mesh as a load target: WHIP publishers and WHEP viewers entering a named
/// node or the placement redirect, faults by signal or on the publishers' leg.
final class MeshcastTarget: LoadTarget, @unchecked Sendable {
    let mesh: MeshUnderTest
    private let scenario: Scenario
    private let worker: MediaWorker
    private let publishers: PublisherGroup
    private let publishToken: String
    private let viewToken: String
    /// Each viewer's session URL and the token that created it, by seat.
    private var sessions: [Int: (url: HTTPURL, token: String)] = [:]

    /// The transport to the TURN server viewers join through (its `Link` headers on each
    /// WHEP `201`), or `nil`: straight to the node.
    var turnTransport: TURNServerLink.Transport?
    /// Another TURN server in front of the node (`versus coturn`): mints each viewer's link
    /// instead of the `201`'s. Its process is sampled beside the nodes (``companions``).
    var externalTURN: (() throws -> TURNServerLink)?
    /// Processes sampled with the nodes under test (an external TURN server).
    var companions: [MeshUnderTest.Node] = []

    /// The publishers' worker thread, for the feeder's CPU time.
    private var feederThread: Int32?

    let name = "meshcast"
    let viewerHost = "127.0.0.1"
    let feed = FeedKind.webrtc

    init(mesh: MeshUnderTest, scenario: Scenario, workerIndex: Int) throws {
        self.mesh = mesh
        self.scenario = scenario
        turnTransport = scenario.viewers.turn?.transport
        publishToken = try mesh.token(publish: true)
        viewToken = try mesh.token(publish: false)
        worker = try MediaWorker(index: workerIndex, cpu: nil)
        publishers = try PublisherGroup(worker: worker)
    }

    var nodesUnderTest: [MeshUnderTest.Node] {
        mesh.nodes.filter { node in scenario.target.underTest.map { $0.contains(node.id) } ?? true } + companions
    }

    func startPublishers(_ streams: [String], plan: PublisherPlan, clips: MediaClipSet) async throws {
        feederThread = try await worker.run { ThreadCPU.currentThreadID() }
        let layer = MediaClipSet.layer(closestTo: plan.video.bitrateKbps)
        for stream in streams {
            try await publishers.publish(
                stream: stream, endpoint: try endpoint("whip", stream: stream, enter: plan.enter),
                token: publishToken, clips: clips, simulcast: plan.video.simulcast, layer: layer)
        }
        try await publishers.waitUntilSending(timeout: 10)
    }

    func joinViewer(_ index: Int, stream: String, crowd: ViewerCrowd) async throws {
        let regions = scenario.viewers.regions
        let url = try endpoint(
            "whep", stream: stream, enter: scenario.viewers.enter,
            region: regions.isEmpty ? nil : regions[index % regions.count])
        let (seat, port) = try await crowd.addSeat()
        let local = ICECredentials.generate()
        let offer = ViewerOffer(credentials: local, fingerprint: crowd.fingerprint, host: crowd.host, port: port)
        let postedAt = BenchClock.now()
        do {
            let created = try OfferRequest.post(offer: offer.sdp, to: url, token: viewToken)
            if let session = created.session { sessions[seat] = (session, created.token) }
            try await crowd.connect(
                seat, local: local, answer: try ViewerAnswer(sdp: created.answer), postedAt: postedAt,
                turn: try turnServer(created.links))
        } catch {
            try await crowd.fail(seat, "\(error)")
        }
    }

    /// The WHEP POSTs of a burst go out on up to ``burstConcurrency`` threads at once (a POST
    /// blocks its thread; one at a time they reach about 60 a second here), then each viewer
    /// connects as in ``joinViewer(_:stream:crowd:)``.
    func joinViewers(_ viewers: [(index: Int, stream: String)], crowd: ViewerCrowd) async throws {
        var prepared: [(seat: Int, local: ICECredentials, offer: String, url: HTTPURL)] = []
        for viewer in viewers {
            let regions = scenario.viewers.regions
            let url = try endpoint(
                "whep", stream: viewer.stream, enter: scenario.viewers.enter,
                region: regions.isEmpty ? nil : regions[viewer.index % regions.count])
            let (seat, port) = try await crowd.addSeat()
            let local = ICECredentials.generate()
            let offer = ViewerOffer(credentials: local, fingerprint: crowd.fingerprint, host: crowd.host, port: port)
            prepared.append((seat, local, offer.sdp, url))
        }
        let token = viewToken
        let requests = prepared.map { ($0.offer, $0.url) }
        let postedAt = BenchClock.now()
        let results = await Self.postSideBySide(requests, token: token)
        for (entry, result) in zip(prepared, results) {
            do {
                let created = try result.get()
                if let session = created.session { sessions[entry.seat] = (session, created.token) }
                try await crowd.connect(
                    entry.seat, local: entry.local, answer: try ViewerAnswer(sdp: created.answer), postedAt: postedAt,
                    turn: try turnServer(created.links))
            } catch {
                try await crowd.fail(entry.seat, "\(error)")
            }
        }
    }

    /// The TURN server of ``turnTransport`` among a `201`'s `Link` headers; `nil` when viewers
    /// go direct. Throws when the node named none (no TURN listener, or no TURN secret).
    private func turnServer(_ links: String) throws -> TURNServerLink? {
        guard let turnTransport else { return nil }
        if let externalTURN { return try externalTURN() }
        guard let link = TURNServerLink.first(try TURNServerLink.parse(links), transport: turnTransport) else {
            throw TURNServerLink.Failure(
                description:
                    "the WHEP 201 named no turn: server over \(turnTransport.rawValue) (the node needs a TURN listener and MESHCAST_TURN_SECRET)"
            )
        }
        return link
    }

    /// Threads posting a burst's offers at once.
    static let burstConcurrency = 8

    /// Posts every offer, up to ``burstConcurrency`` at a time, on threads of their own (the
    /// POST blocks), and returns the answers in order.
    private static func postSideBySide(
        _ requests: [(offer: String, url: HTTPURL)], token: String
    ) async -> [Result<OfferRequest.Created, any Error>] {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let results = Mutex([Result<OfferRequest.Created, any Error>?](repeating: nil, count: requests.count))
                let next = Atomic<Int>(0)
                DispatchQueue.concurrentPerform(iterations: min(burstConcurrency, requests.count)) { _ in
                    while true {
                        let index = next.add(1, ordering: .relaxed).oldValue
                        guard index < requests.count else { return }
                        let result = Result {
                            try OfferRequest.post(offer: requests[index].offer, to: requests[index].url, token: token)
                        }
                        results.withLock { $0[index] = result }
                    }
                }
                // concurrentPerform returns once every index is done, so none is left nil.
                let done = results.withLock { $0.map { $0 ?? .failure(HTTPClientError(description: "not posted")) } }
                continuation.resume(returning: done)
            }
        }
    }

    func leave(seat: Int, crowd: ViewerCrowd) async throws {
        // DELETE first (RFC 9725 §4.2): a close_notify first would end the session by itself.
        if let session = sessions.removeValue(forKey: seat) {
            _ = try? HTTPClient.request("DELETE", session.url, headers: [("Authorization", "Bearer \(session.token)")])
        }
        try await crowd.close(seat)
    }

    func inject(_ action: FaultAction) async -> String {
        switch action {
        case .kill(let node):
            return mesh.signal(SIGKILL, node: node)
                ? "killed \(node) (SIGKILL)" : "cannot kill \(node): not started here"
        case .stop(let node, let seconds):
            guard let pid = mesh.node(node)?.pid else { return "cannot stop \(node): not started here" }
            return Self.pause(pid, seconds: seconds) ? "stopped \(node) for \(seconds) s" : "cannot stop \(node)"
        case .stopRedis(let seconds):
            guard let pid = mesh.redisPID else { return "cannot stop Redis: meshbench did not start it" }
            return Self.pause(pid, seconds: seconds) ? "stopped Redis for \(seconds) s" : "cannot stop Redis"
        case .dropLink(let from, let to, let rate):
            return mesh.dropLink(from: from, to: to, rate: rate)
        case .delayPublishers(let milliseconds):
            await publishers.setDelay(milliseconds: milliseconds)
            return "the publishers' packets now reach the node \(milliseconds) ms later"
        }
    }

    func feederCPUSeconds() -> Double? {
        feederThread.flatMap { ThreadCPU.seconds(thread: $0) }
    }

    func tick(elapsed: Double) async {}

    func publisherTallies() async -> [PublisherTally] {
        (try? await publishers.snapshot()) ?? []
    }

    func finish(crowd: ViewerCrowd) async {
        for seat in sessions.keys.sorted() { try? await leave(seat: seat, crowd: crowd) }
        await publishers.finish()
        worker.stop()
    }

    /// SIGSTOP now, SIGCONT after `seconds` (even if the run ends first).
    private static func pause(_ pid: Int32, seconds: Double) -> Bool {
        guard kill(pid, SIGSTOP) == 0 else { return false }
        Task.detached {
            try? await Task.sleep(for: .seconds(seconds))
            kill(pid, SIGCONT)
        }
        return true
    }

    /// `/whip/STREAM` or `/whep/STREAM` at the entry node, or at the first node for placement.
    private func endpoint(_ kind: String, stream: String, enter: EntryPoint, region: String? = nil) throws -> HTTPURL {
        let base: String
        switch enter {
        case .node(let id):
            guard let node = mesh.node(id) else { throw MeshUnderTestError("node \(id) is not in the mesh") }
            base = node.base
        case .placement:
            guard let first = mesh.nodes.first else { throw MeshUnderTestError("the mesh has no node") }
            base = first.base
        }
        let query = region.map { "?region=\($0)" } ?? ""
        guard let url = HTTPURL("\(base)/\(kind)/\(stream)\(query)") else {
            throw MeshUnderTestError("\(base) is not an http:// URL")
        }
        return url
    }
}
