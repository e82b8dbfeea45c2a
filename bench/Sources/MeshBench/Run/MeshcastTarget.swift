import Foundation
import Glibc
import MeshRTC
import MeshRuntime

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

    /// The publishers' worker thread, for the feeder's CPU time.
    private var feederThread: Int32?

    let name = "meshcast"
    let viewerHost = "127.0.0.1"
    let feed = FeedKind.webrtc

    init(mesh: MeshUnderTest, scenario: Scenario, workerIndex: Int) throws {
        self.mesh = mesh
        self.scenario = scenario
        publishToken = try mesh.token(publish: true)
        viewToken = try mesh.token(publish: false)
        worker = try MediaWorker(index: workerIndex, cpu: nil)
        publishers = try PublisherGroup(worker: worker)
    }

    var nodesUnderTest: [MeshUnderTest.Node] {
        mesh.nodes.filter { node in scenario.target.underTest.map { $0.contains(node.id) } ?? true }
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
                seat, local: local, answer: try ViewerAnswer(sdp: created.answer), postedAt: postedAt)
        } catch {
            try await crowd.fail(seat, "\(error)")
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
