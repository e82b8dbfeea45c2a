import Foundation
import MeshRTC
import MeshRuntime

/// Janus's streaming plugin as a load target, for `meshbench versus janus`: one RTP
/// mountpoint per stream fed by meshbench's plain RTP sender (the same clips, one layer), and
/// viewers attached through Janus's HTTP API. Janus does not forward abs-capture-time, so its
/// viewers measure latency by VP8 PictureID (``FrameSendTimes``); it has no `/metrics`, so the
/// packets it forwarded are the ones its viewers received.
final class JanusTarget: LoadTarget, @unchecked Sendable {
    static let httpPort: UInt16 = 18_088
    static let firstVideoPort: UInt16 = 42_000

    private let worker: MediaWorker
    private var server: JanusServer?
    private var senders: [PlainRTPSender] = []
    private var mountpoints: [String: (id: Int, sendTimes: FrameSendTimes)] = [:]
    private var sessions: [Int: JanusAPI] = [:]
    private var lastKeepalive = 0.0
    /// The plain RTP senders' worker thread, for the feeder's CPU time.
    private var feederThread: Int32?

    let name = "janus"
    let feed = FeedKind.plainRTP

    init(workerIndex: Int) throws {
        worker = try MediaWorker(index: workerIndex, cpu: nil)
    }

    var viewerHost: String { server?.config.candidateAddress ?? "127.0.0.1" }

    var nodesUnderTest: [MeshUnderTest.Node] {
        guard let server else { return [] }
        return [
            MeshUnderTest.Node(id: "janus", role: "janus", base: "http://127.0.0.1:\(Self.httpPort)", pid: server.pid)
        ]
    }

    func startPublishers(_ streams: [String], plan: PublisherPlan, clips: MediaClipSet) async throws {
        let points = streams.indices.map {
            JanusMountpoint(id: $0 + 1, videoPort: Self.firstVideoPort + UInt16($0) * 2)
        }
        feederThread = try await worker.run { ThreadCPU.currentThreadID() }
        let server = try JanusServer(mountpoints: points, httpPort: Self.httpPort, rtpPortRange: 41_000...41_999)
        self.server = server
        let layer = MediaClipSet.layer(closestTo: plan.video.bitrateKbps)
        for (stream, point) in zip(streams, points) {
            let sendTimes = FrameSendTimes()
            mountpoints[stream] = (point.id, sendTimes)
            let worker = worker
            let video = try SocketAddress(ipv4: "127.0.0.1", port: point.videoPort)
            let audio = try SocketAddress(ipv4: "127.0.0.1", port: point.audioPort)
            senders.append(
                try await worker.run {
                    let source = PacedMediaSource.make(
                        clips: clips, simulcast: false, layer: layer,
                        extensions: OutgoingExtensionIDs(captureTime: PublisherOffer.captureTimeID))
                    let sender = try PlainRTPSender(
                        worker: worker, address: try SocketAddress(ipv4: "127.0.0.1", port: 0), source: source,
                        video: video, audio: audio)
                    sender.sendTimes = sendTimes
                    try sender.start()
                    return sender
                })
        }
    }

    func joinViewer(_ index: Int, stream: String, crowd: ViewerCrowd) async throws {
        guard let server, let mountpoint = mountpoints[stream] else { throw MeshUnderTestError("janus is not running") }
        let (seat, port) = try await crowd.addSeat()
        let postedAt = BenchClock.now()
        do {
            let api = JanusAPI(base: server.apiURL)
            try api.attachStreaming()
            sessions[seat] = api
            let signaling = try JanusViewerSignaling(offer: try api.watch(mountpoint: mountpoint.id))
            let local = ICECredentials.generate()
            try api.start(
                answer: signaling.answer(
                    credentials: local, fingerprint: crowd.fingerprint, host: crowd.host, port: port))
            try await crowd.connect(
                seat, local: local, answer: signaling.transport, postedAt: postedAt, sendTimes: mountpoint.sendTimes)
        } catch {
            try await crowd.fail(seat, "\(error)")
        }
    }

    func leave(seat: Int, crowd: ViewerCrowd) async throws {
        try? sessions.removeValue(forKey: seat)?.destroy()
        try await crowd.close(seat)
    }

    func inject(_ action: FaultAction) async -> String {
        "faults are not applied to janus (the comparison is about steady-state cost)"
    }

    func feederCPUSeconds() -> Double? {
        feederThread.flatMap { ThreadCPU.seconds(thread: $0) }
    }

    func tick(elapsed: Double) async {
        // Janus drops a session idle for 60 s.
        guard elapsed - lastKeepalive >= Double(JanusAPI.keepaliveInterval) else { return }
        lastKeepalive = elapsed
        for api in sessions.values { try? api.keepalive() }
    }

    func publisherTallies() async -> [PublisherTally] {
        let senders = senders
        let streams = (try? await worker.run { senders.map { $0.snapshot() } }) ?? []
        return streams.map { sent in
            PublisherTally(
                streams: sent, nackedPackets: 0, plis: 0, firs: 0, senderReports: 0, postedAt: 0, connectedAt: nil,
                firstPacketAt: nil, failure: nil)
        }
    }

    func finish(crowd: ViewerCrowd) async {
        for seat in sessions.keys.sorted() { try? await leave(seat: seat, crowd: crowd) }
        let senders = senders
        _ = try? await worker.run { for sender in senders { sender.close() } }
        server?.stop()
        worker.stop()
    }
}
