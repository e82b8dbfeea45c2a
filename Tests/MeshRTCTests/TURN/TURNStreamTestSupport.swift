import Foundation
import Logging
import MeshCascade
import MeshCrypto
import MeshRTC
import MeshRuntime
import MeshTURN
import MeshWire
import Synchronization
import Testing

/// A two-worker node on real libuv workers with TURN as `NodeTURN.start` builds it: the node
/// relay on worker 0 with a TCP listener, and a relay on each worker's media port, all on one
/// ledger; plus a third worker for test clients.
struct TURNStreamNode: @unchecked Sendable {
    typealias Base = EmbeddedTURNTests
    let group: WorkerGroup
    let engine: MediaEngine
    let clientWorker: MediaWorker
    let relays: TURNRelays
    let tcpListener: SocketAddress

    static func start(firstPort: UInt16) async throws -> TURNStreamNode {
        let cpu = CPUTopology.affinity()[0]
        let group = try WorkerGroup(configuration: WorkerGroupConfiguration(placement: .cpus([cpu, cpu])))
        let engine = try MediaEngine(
            configuration: MediaEngineConfiguration(
                nodeID: "turn-move", role: "origin", mediaHost: "127.0.0.1", announceIP: "127.0.0.1",
                firstPort: firstPort),
            group: group, logger: Base.logger)
        try await engine.start()
        let own = [
            STUNTransportAddress(ip: Base.loopback, port: firstPort): 0,
            STUNTransportAddress(ip: Base.loopback, port: firstPort + 1): 1,
        ]
        let server = Base.server(own: own)
        let first = group.workers[0]
        let (relay, listener) = try await first.run {
            let relay = TURNRelay(
                loop: first, server: server, listen: nil, relayBindHost: nil, logger: Base.logger, clock: { Base.now })
            try relay.start()
            let listener = try TURNStreamListener(
                worker: first, relay: relay, bindingTo: SocketAddress(ipv4: 0x7F00_0001, port: 0), certificate: nil)
            relay.add(listener)
            return (relay, listener.localAddress)
        }
        let relays = try await Base.connectPortRelays(to: relay, on: engine, server: server, own: own)
        return TURNStreamNode(
            group: group, engine: engine, clientWorker: try MediaWorker(index: 2, cpu: nil), relays: relays,
            tcpListener: listener)
    }

    /// A publisher session that lives on worker 1, its stream, and an ICE client for it.
    func publisherOnWorker1() async throws -> (session: String, stream: String, ice: ICEControllingClient) {
        for index in 0..<4 {
            let credentials = ICECredentials.generate()
            let certificate = try DTLSCertificate.generateSelfSigned()
            let offer = EmbeddedOffer(
                credentials: credentials, fingerprint: certificate.fingerprint, direction: "sendonly")
            let stream = "move-\(index)"
            let answer = try await engine.publish(stream: stream, offer: offer.sdp, client: "test")
            guard engine.worker(ofSession: answer.sessionID) == 1 else { continue }
            let remote = try EmbeddedAnswer(sdp: answer.sdp).credentials
            return (answer.sessionID, stream, ICEControllingClient(local: credentials, remote: remote))
        }
        throw EmbeddedAnswer.Unusable(reason: "no session landed on worker 1")
    }

    func stop() {
        let relays = relays
        let engine = engine
        waitForTask {
            await relays.stop()
            await engine.shutdown()
        }
        clientWorker.stop()
        withExtendedLifetime(engine) { group.stop() }
    }
}

/// A TURN client over loopback TCP (RFC 8656 §3.1) on a worker of its own: frames it receives
/// are cut by MeshTURN's reassembler (§12.5) and kept in order.
final class TURNStreamTestClient: Sendable {
    let worker: MediaWorker
    let connection: TCPConnection
    private let reassembler = Mutex(TURNStreamReassembler())
    private let frames = Mutex<[[UInt8]]>([])
    private let consumed = Mutex(0)

    private init(worker: MediaWorker, connection: TCPConnection) {
        self.worker = worker
        self.connection = connection
    }

    static func connect(on worker: MediaWorker, to address: SocketAddress) async throws -> TURNStreamTestClient {
        let connection = try await worker.run { try TCPConnection.connect(on: worker, to: address) { _ in } }
        let client = TURNStreamTestClient(worker: worker, connection: connection)
        try await worker.run {
            try connection.startReading(onRead: { bytes in client.received(bytes) }, onEnd: { _ in })
        }
        return client
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        reassembler.withLock { reassembler in
            try? reassembler.feed(bytes) { frame in frames.withLock { $0.append(Array(frame)) } }
        }
    }

    func write(_ bytes: [UInt8]) async throws {
        try await worker.run { try bytes.withUnsafeBytes { try self.connection.write($0) } }
    }

    /// The next `count` frames received, waiting up to 10 s for them.
    func next(_ count: Int) async throws -> [[UInt8]] {
        for _ in 0..<1000 {
            let taken: [[UInt8]]? = frames.withLock { frames in
                let start = consumed.withLock { $0 }
                guard frames.count >= start + count else { return nil }
                consumed.withLock { $0 += count }
                return Array(frames[start..<(start + count)])
            }
            if let taken { return taken }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw EmbeddedAnswer.Unusable(reason: "fewer than \(count) frames arrived")
    }

    /// Sends a STUN request and returns the answer (the next frame).
    func exchange(_ request: [UInt8]) async throws -> STUNMessage {
        try await write(request)
        let answer = try #require(try await next(1).first)
        return try answer.withUnsafeBytes { try STUNMessage(parsing: $0) }
    }

    /// The payloads of the next `count` frames, each ChannelData.
    func channelData(count: Int) async throws -> [[UInt8]] {
        try await next(count).map { frame in
            #expect(frame.first.map { $0 >> 6 } == 0b01, "ChannelData (RFC 8656 §12)")
            return Array(frame.dropFirst(TURNChannelData.headerSize))
        }
    }

    func close() {
        let connection = connection
        let done = DispatchSemaphore(value: 0)
        worker.post {
            connection.close()
            done.signal()
        }
        done.wait()
    }

    /// A Binding request with no attributes (RFC 8489 §6), answered without credentials.
    static func binding() -> [UInt8] {
        [0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42] + (0..<12).map { _ in UInt8.random(in: 0...255) }
    }

    /// ChannelData on `channel` carrying `payload`, padded to 4 bytes as streams need (§12.5).
    static func channelData(_ channel: UInt16, _ payload: [UInt8]) -> [UInt8] {
        let header = [
            UInt8(channel >> 8), UInt8(channel & 0xFF), UInt8(payload.count >> 8), UInt8(payload.count & 0xFF),
        ]
        return header + payload + [UInt8](repeating: 0, count: (4 - payload.count % 4) % 4)
    }
}
