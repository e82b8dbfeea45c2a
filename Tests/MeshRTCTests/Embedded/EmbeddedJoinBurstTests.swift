import MeshCluster
import MeshRTC
import MeshRuntime
import Testing

/// A burst of viewers joining at once (issue 12: existing viewers must not stall while others
/// join): each worker handles at most two DTLS handshake records per receive batch and takes up
/// the rest in later turns, and every handshake still completes (RFC 6347 §4.2: records of one
/// handshake keep their order).
@Suite("Embedded engine: a join burst's handshakes spread over loop turns", .serialized)
struct EmbeddedJoinBurstTests {
    @Test("eight viewers whose ClientHellos arrive together all connect; the records beyond two per batch were put off")
    func burstOfHandshakes() async throws {
        let engines = EmbeddedEngines()
        let node = try await engines.engine(id: "origin-b", firstPort: 10_000)
        let publisher = try await engines.publisher(of: "cam", on: node)
        try engines.send(1...3, from: publisher, ssrc: 0x1234_5678, keyframeAt: 1)
        var viewers: [EmbeddedPeer] = []
        for _ in 0..<8 {
            let peer = try engines.client()
            let answer = try await node.view(
                stream: "cam", offer: peer.offer(direction: "recvonly"), client: "test", options: ViewerOptions())
            viewers.append(peer)
            // Accepting sends the first ICE check at once; nothing is delivered until the
            // runtime runs, so all eight checks, then all eight ClientHellos, arrive together.
            try peer.accept(answer.sdp)
        }
        for _ in 0..<30 where viewers.contains(where: { !$0.isConnected }) {
            try engines.advance(by: .milliseconds(1))
        }
        #expect(viewers.filter { !$0.isConnected }.isEmpty)
        let workers = await node.metrics().workers
        #expect(workers.map(\.handshakeRecordsDeferred).reduce(0, +) >= 4)
        #expect(workers.allSatisfy { $0.drops["handshake_backlog_full"] == nil })
        // The handshakes put off did not stop the stream: every viewer gets the next key frame.
        try engines.send(4...6, from: publisher, ssrc: 0x1234_5678, keyframeAt: 4)
        #expect(viewers.allSatisfy { !$0.received.isEmpty })
    }
}
