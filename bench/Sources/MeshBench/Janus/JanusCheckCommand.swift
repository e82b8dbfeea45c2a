import ArgumentParser
import Foundation
import MeshCrypto
import MeshRTC
import MeshRuntime

/// `meshbench janus-check`: the manual end-to-end check of the Janus target. Starts Janus with
/// one streaming mountpoint, feeds it VP8 and Opus RTP from ffmpeg (test pattern and tone),
/// attaches one bench viewer through the HTTP API and counts the RTP it decrypts.
struct JanusCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "janus-check",
        abstract: "Start Janus, feed it ffmpeg RTP, attach one viewer and count what it decrypts."
    )

    @Option(name: .customLong("http-port"), help: "Port of Janus's HTTP API on 127.0.0.1.")
    var httpPort: UInt16 = 18_088
    @Option(name: .customLong("video-port"), help: "Mountpoint's VP8 RTP port (Opus on the next one).")
    var videoPort: UInt16 = 42_000
    @Option(help: "Seconds to count packets once the first one arrived.")
    var duration: Double = 10
    @Option(name: .customLong("janus-debug"), help: "Janus's debug_level (0-7).")
    var janusDebug = 4
    @Option(help: "Local IPv4 address for the viewer's socket (default: Janus's candidate address).")
    var bind: String?
    @Flag(help: "Print Janus's offer and our answer.")
    var verbose = false

    func run() async throws {
        let server = try JanusServer(
            mountpoints: [JanusMountpoint(id: 1, videoPort: videoPort)], httpPort: httpPort,
            rtpPortRange: 41_000...41_999, debugLevel: janusDebug)
        print("janus log: \(server.logPath)")
        print("janus pid \(server.pid): \(JanusServer.executable) \(server.arguments.joined(separator: " "))")
        let feed = try startFeed()
        defer {
            feed.stop(graceSeconds: 2)
            server.stop()
        }

        let certificate = try DTLSCertificate.generateSelfSigned(commonName: "meshbench")
        let worker = try MediaWorker(index: 0, cpu: nil)
        let fleet = ViewerFleet(worker: worker, certificate: certificate)
        try await worker.run { try fleet.start() }
        let host = bind ?? server.config.candidateAddress
        let (index, port) = try await worker.run { try fleet.addViewer(host: host) }

        let api = JanusAPI(base: server.apiURL)
        try api.attachStreaming()
        let offer = try api.watch(mountpoint: 1)
        let signaling = try JanusViewerSignaling(offer: offer)
        let local = ICECredentials.generate()
        let answer = signaling.answer(
            credentials: local, fingerprint: certificate.fingerprint, host: host, port: port)
        if verbose { print("offer:\n\(offer)\nanswer:\n\(answer)") }
        print("janus candidate \(signaling.transport.server), our DTLS role \(signaling.transport.dtlsRole)")
        let postedAt = BenchClock.now()
        try api.start(answer: answer)
        let transport = signaling.transport
        try await worker.run { try fleet.connect(index, local: local, answer: transport, postedAt: postedAt) }

        for _ in 0..<100 {
            if let tally = try await worker.run({ fleet.snapshot() }).first, tally.packets > 0 || tally.failure != nil {
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let start = try await worker.run { fleet.snapshot() }[0]
        let startTime = BenchClock.now()
        try await Task.sleep(for: .seconds(duration))
        try api.keepalive()
        let end = try await worker.run { fleet.snapshot() }[0]
        let window = Double(BenchClock.now() - startTime) / 1e9

        try? api.destroy()
        try await worker.run { fleet.closeAll() }
        worker.stop()

        let video = Double(end.video.packets - start.video.packets) / window
        let audio = Double(end.audio.packets - start.audio.packets) / window
        print(
            "connected: \(end.connectedAt != nil), first RTP after "
                + (end.joinTime.map { String(format: "%.0f ms", Double($0) / 1e6) } ?? "never"))
        print(
            String(
                format: "window %.1f s: video %d packets (%.1f/s), audio %d packets (%.1f/s), dropped %d",
                window, end.video.packets - start.video.packets, video, end.audio.packets - start.audio.packets, audio,
                end.dropped))
        if let failure = end.failure { print("failure: \(failure)") }
        guard end.packets > start.packets else { throw ExitCode.failure }
    }

    /// ffmpeg sending a 640x360 30 fps VP8 test pattern (PT 96) and a 48 kHz Opus tone
    /// (PT 111) to the mountpoint's ports, in real time.
    private func startFeed() throws -> ChildProcess {
        try ChildProcess(
            "/usr/bin/ffmpeg",
            [
                "-hide_banner", "-loglevel", "error",
                "-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
                "-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-map", "0:v", "-c:v", "libvpx", "-deadline", "realtime", "-b:v", "1M", "-payload_type", "96",
                "-f", "rtp", "rtp://127.0.0.1:\(videoPort)",
                "-map", "1:a", "-c:a", "libopus", "-b:a", "48k", "-payload_type", "111",
                "-f", "rtp", "rtp://127.0.0.1:\(videoPort &+ 1)",
            ])
    }
}
