import Logging
import MeshCluster
import MeshRTC
import MeshRuntime

/// Media engines on an ``EmbeddedRuntime`` (the NIOEmbedded idea: no sockets, no threads, a
/// clock the test moves), with the WebRTC clients that talk to them: a Swift test runs a
/// publisher and viewers across two workers, drops and reorders datagrams, advances time, and
/// checks what each viewer received.
final class EmbeddedEngines: @unchecked Sendable {
    let runtime = EmbeddedRuntime()
    /// The loop the clients' timers run on.
    let clientLoop: EmbeddedLoop
    private var nextClientPort: UInt16 = 30_000

    init() {
        clientLoop = runtime.makeLoop()
    }

    /// An engine with `workers` embedded workers at 127.0.0.1, ports from `firstPort`; new viewers
    /// assume `viewerStartBitrate` (`policies.viewer_start_bitrate`) when given. Its sessions go
    /// to the workers in turn (`streamFill` 0), so that tests know which worker each one is on,
    /// unless `streamFill` says otherwise (``SessionPlaces``).
    func engine(
        id: String, role: String = "origin", workers: Int = 2, firstPort: UInt16, viewerStartBitrate: UInt64? = nil,
        streamFill: Int = 0
    ) async throws -> MediaEngine {
        var configuration = MediaEngineConfiguration(
            nodeID: id, role: role, mediaHost: "127.0.0.1", announceIP: "127.0.0.1", firstPort: firstPort)
        configuration.streamFill = streamFill
        if let viewerStartBitrate { configuration.viewerStartBitrate = viewerStartBitrate }
        var logger = Logger(label: "embedded.\(id)")
        logger.logLevel = .warning
        let loops = (0..<workers).map { _ in runtime.makeLoop() }
        let engine = try MediaEngine(configuration: configuration, loops: loops, clock: runtime.clock, logger: logger)
        try await engine.start()
        try runtime.runUntilIdle()
        return engine
    }

    /// A client with its own address.
    func client() throws -> EmbeddedPeer {
        nextClientPort += 1
        return try EmbeddedPeer(runtime: runtime, loop: clientLoop, port: nextClientPort)
    }

    /// A publisher of `stream` on `engine`, connected (ICE and DTLS done).
    func publisher(of stream: String, on engine: MediaEngine, rids: [String] = []) async throws -> EmbeddedPeer {
        let peer = try client()
        let answer = try await engine.publish(
            stream: stream, offer: peer.offer(direction: "sendonly", rids: rids), client: "test")
        try peer.accept(answer.sdp)
        try connect(peer)
        return peer
    }

    /// A viewer of `stream` on `engine`, connected.
    func viewer(of stream: String, on engine: MediaEngine, options: ViewerOptions = ViewerOptions()) async throws
        -> EmbeddedPeer
    {
        let peer = try client()
        let answer = try await engine.view(
            stream: stream, offer: peer.offer(direction: "recvonly"), client: "test", options: options)
        try peer.accept(answer.sdp)
        try connect(peer)
        return peer
    }

    /// Opens a link from `edge` up to `origin` and feeds `stream` over it, as the coordinator would.
    func link(_ stream: StreamRecord, from origin: MediaEngine, to edge: MediaEngine) async throws -> String {
        let request = try await edge.prepareUpstreamLink(to: origin.nodeID)
        let accepted = try await origin.acceptLink(request)
        let linkID = try await edge.openUpstreamLink(request, accepted: accepted)
        try await edge.receive(stream, overLink: linkID)
        try await origin.forward(stream: stream.name, tracks: stream.tracks.map(\.ssrc), onLink: linkID)
        return linkID
    }

    /// Lets ICE and DTLS finish (a few exchanges, a few ms of embedded time).
    func connect(_ peer: EmbeddedPeer) throws {
        for _ in 0..<20 where !peer.isConnected { try advance(by: .milliseconds(10)) }
        guard peer.isConnected else { throw NotConnected() }
    }

    /// Moves the clock, firing every timer on the way and delivering what they send.
    func advance(by duration: Duration) throws {
        try runtime.advanceTime(by: duration)
    }

    /// ICE and DTLS did not finish within 200 ms of embedded time.
    struct NotConnected: Error {}

    /// `publisher` sends video packets `sequences` on `ssrc`, one per 20 ms, `keyframeAt` starting a
    /// key frame.
    func send(
        _ sequences: ClosedRange<UInt16>, from publisher: EmbeddedPeer, ssrc: UInt32, keyframeAt: UInt16? = nil
    ) throws {
        for sequence in sequences {
            publisher.sendRTP(EmbeddedMedia.video(ssrc: ssrc, sequence: sequence, keyframe: sequence == keyframeAt))
            try advance(by: .milliseconds(20))
        }
    }

    /// Delivers what is in flight, and what that sends, without moving the clock.
    func settle() throws {
        try runtime.runUntilIdle()
    }
}
