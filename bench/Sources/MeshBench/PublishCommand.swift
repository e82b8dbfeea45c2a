import ArgumentParser
import Foundation
import MeshCrypto
import MeshRTC
import MeshRuntime

/// `meshbench publish`: one real WHIP publisher sending looped VP8 (optionally three simulcast
/// layers) and Opus from the clips `scripts/make-clips` makes, or the same as plain RTP.
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish VP8 (+ simulcast) and Opus clips over WHIP, or as plain RTP, and print what was sent."
    )

    @Option(help: "WHIP endpoint, http://HOST:PORT/whip/STREAM.")
    var whip: String?
    @Option(help: "Bearer token with the publish scope for the stream.")
    var token: String = ""
    @Flag(help: "Send three VP8 layers (RIDs l, m, h) instead of one.")
    var simulcast = false
    @Option(help: "Directory with video-{l,m,h}.ivf and audio.opus (scripts/make-clips).")
    var clips: String = "bench/clips"
    @Option(help: "Seconds to publish after connecting.")
    var duration: Double = 10
    @Option(help: "Local IPv4 address for the publisher's socket (its host candidate).")
    var bind: String = "127.0.0.1"
    @Option(name: .customLong("rtp-video"), help: "Plain RTP instead of WHIP: video to HOST:PORT.")
    var rtpVideo: String?
    @Option(name: .customLong("rtp-audio"), help: "Plain RTP instead of WHIP: audio to HOST:PORT.")
    var rtpAudio: String?
    @Option(name: .customLong("connect-timeout"), help: "Seconds to wait for DTLS.")
    var connectTimeout: Double = 10

    func validate() throws {
        if let whip {
            guard HTTPURL(whip) != nil else { throw ValidationError("--whip must be an http://HOST:PORT/... URL") }
        } else {
            guard rtpVideo != nil, rtpAudio != nil else {
                throw ValidationError("give --whip, or --rtp-video and --rtp-audio")
            }
        }
        guard duration > 0 else { throw ValidationError("--duration must be positive") }
    }

    func run() async throws {
        let clipSet = try MediaClipSet.load(directory: clips)
        let worker = try MediaWorker(index: 0, cpu: nil)
        defer { worker.stop() }
        if let whip, let endpoint = HTTPURL(whip) {
            try await publishWHIP(clips: clipSet, endpoint: endpoint, worker: worker)
        } else {
            try await publishPlain(clips: clipSet, worker: worker)
        }
    }

    private func publishWHIP(clips: MediaClipSet, endpoint: HTTPURL, worker: MediaWorker) async throws {
        let run = WHIPPublishRun(
            endpoint: endpoint, token: token, simulcast: simulcast, bind: bind, connectTimeout: connectTimeout)
        let tally = try await run.publish(clips: clips, worker: worker, duration: duration) {
            print("publishing \(simulcast ? "3 layers" : "1 layer") + audio to \(endpoint) for \(duration) s")
        }
        print(tally.text)
        if tally.firstPacketAt == nil { throw ExitCode.failure }
    }

    private func publishPlain(clips: MediaClipSet, worker: MediaWorker) async throws {
        guard let video = rtpVideo.flatMap(Self.address), let audio = rtpAudio.flatMap(Self.address) else {
            throw ValidationError("--rtp-video and --rtp-audio must be IPV4:PORT")
        }
        let host = bind
        let sender = try await worker.run {
            let source = PacedMediaSource.make(
                clips: clips, simulcast: false,
                extensions: OutgoingExtensionIDs(captureTime: PublisherOffer.captureTimeID))
            let sender = try PlainRTPSender(
                worker: worker, address: try SocketAddress(ipv4: host, port: 0), source: source, video: video,
                audio: audio)
            try sender.start()
            return sender
        }
        print("sending plain RTP: video to \(video), audio to \(audio) for \(duration) s")
        try await Task.sleep(for: .seconds(duration))
        let streams = try await worker.run { sender.snapshot() }
        try await worker.run { sender.close() }
        for stream in streams {
            print("\(stream.label) ssrc \(stream.ssrc): \(stream.packets) packets, \(stream.bytes) bytes")
        }
    }

    private static func address(_ text: String) -> SocketAddress? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]) else { return nil }
        return try? SocketAddress(ipv4: String(parts[0]), port: port)
    }
}
