import MeshCluster
import MeshRTC
import MeshRuntime
import Synchronization
import Testing

/// The engine's packet path end to end, on embedded workers with a clock the test moves: what
/// until now only the Python interop suite covered (Tests/Interop/test_nack.py,
/// test_keyframe_on_join.py, test_publisher_reconnect.py, test_mesh_failover.py), run here
/// deterministically and without sockets. The Python suite still runs the same paths with
/// real clients. Serialized (like the other embedded suites): each test makes several DTLS
/// handshakes, and all at once they would starve the time-sensitive suites that CI runs beside them.
@Suite("Embedded engine: the packet path with a manual clock", .serialized)
struct EmbeddedEngineTests {
    static let ssrc: UInt32 = 0x1234_5678

    // Key frame on join (RFC 4585 §6.3.1 PLI towards the publisher), fan-out to two workers.
    @Test("viewers on both workers start at the key frame the node asked the publisher for")
    func keyframeOnJoinAcrossWorkers() async throws {
        let engines = EmbeddedEngines()
        let node = try await engines.engine(id: "origin-e", firstPort: 10_000)
        let publisher = try await engines.publisher(of: "cam", on: node)  // worker 0
        try engines.send(1...3, from: publisher, ssrc: Self.ssrc)
        let onWorker1 = try await engines.viewer(of: "cam", on: node)
        let onWorker0 = try await engines.viewer(of: "cam", on: node)
        try engines.advance(by: .milliseconds(100))
        // The viewers' arrival made the node ask the publisher for a key frame.
        #expect(publisher.keyframeRequests >= 1)
        // Delta frames first: nobody can decode them, nobody gets them.
        try engines.send(4...6, from: publisher, ssrc: Self.ssrc)
        #expect(onWorker1.video.isEmpty && onWorker0.video.isEmpty)
        try engines.send(7...20, from: publisher, ssrc: Self.ssrc, keyframeAt: 7)
        for viewer in [onWorker1, onWorker0] {
            #expect(viewer.video.map(\.source) == Array(7...20))
            // One continuous stream in the viewer's own numbering (RFC 3550 §5.1).
            #expect(viewer.videoIsContinuous)
        }
        let metrics = await node.metrics()
        #expect(metrics.workers.map(\.packetsForwarded).allSatisfy { $0 > 0 })
    }

    // Issue 12: at low load a stream's packets wake one worker, not every worker.
    @Test("by default a stream's viewers join its publisher's worker, and the other worker forwards nothing")
    func aSmallStreamStaysOnOneWorker() async throws {
        let engines = EmbeddedEngines()
        let node = try await engines.engine(id: "origin-e", firstPort: 10_000, streamFill: 100)
        let publisher = try await engines.publisher(of: "cam", on: node)
        let viewers = [
            try await engines.viewer(of: "cam", on: node), try await engines.viewer(of: "cam", on: node),
            try await engines.viewer(of: "cam", on: node),
        ]
        try engines.send(1...10, from: publisher, ssrc: Self.ssrc, keyframeAt: 1)
        for viewer in viewers { #expect(viewer.video.map(\.source) == Array(1...10)) }
        // Worker 1 (the last one on a tie) took the stream's first session and every later one.
        let forwarded = await node.metrics().workers.map(\.packetsForwarded)
        #expect(forwarded[0] == 0 && forwarded[1] >= 30, "\(forwarded)")
    }

    // Generic NACK (RFC 4585 §6.2.1) answered from the packet history.
    @Test("a packet lost on the way to one viewer is resent on its NACK; the other viewer sees no gap")
    func nackRepairFromHistory() async throws {
        let engines = EmbeddedEngines()
        let node = try await engines.engine(id: "origin-e", firstPort: 10_000)
        let publisher = try await engines.publisher(of: "cam", on: node)
        let lossy = try await engines.viewer(of: "cam", on: node)
        let clean = try await engines.viewer(of: "cam", on: node)
        try engines.send(1...5, from: publisher, ssrc: Self.ssrc, keyframeAt: 1)
        // The next video packet to `lossy` is lost.
        let lossyAddress = lossy.socket.localAddress
        let lost = Atomic<Int>(0)
        engines.runtime.network.filter = { datagram in
            // SRTP leaves the RTP header readable (RFC 3711 §3.1): the next video packet is lost.
            guard datagram.destination == lossyAddress, datagram.bytes.count > 12,
                datagram.bytes[1] & 0x7F == EmbeddedMedia.videoPayloadType,
                lost.compareExchange(expected: 0, desired: 1, ordering: .relaxed).exchanged
            else { return .deliver }
            return .drop
        }
        try engines.send(6...10, from: publisher, ssrc: Self.ssrc)
        engines.runtime.network.filter = nil
        #expect(lossy.video.map(\.source) == [1, 2, 3, 4, 5, 7, 8, 9, 10])
        let missing = try #require(lossy.video.first { $0.source == 7 }).sequence &- 1
        lossy.nack([missing], ssrc: lossy.videoSSRC)
        try engines.advance(by: .milliseconds(20))
        // The repair comes as RTX (RFC 4588), carrying the original sequence number.
        #expect(lossy.video.last?.source == 6)
        #expect(lossy.video.last?.sequence == missing)
        #expect(lossy.received.last?.isRetransmission == true)
        #expect(clean.video.map(\.source) == Array(1...10))
        let metrics = await node.metrics()
        #expect(metrics.workers.map(\.retransmissions).reduce(0, +) == 1)
    }

    // The node NACKs the publisher (RFC 4585 §6.2.1) and forwards the repair.
    @Test("a packet lost from the publisher is NACKed to it and reaches the viewers when resent")
    func publisherLossIsNACKed() async throws {
        let engines = EmbeddedEngines()
        let node = try await engines.engine(id: "origin-e", firstPort: 10_000)
        let publisher = try await engines.publisher(of: "cam", on: node)
        let viewer = try await engines.viewer(of: "cam", on: node)
        try engines.send(1...5, from: publisher, ssrc: Self.ssrc, keyframeAt: 1)
        // Packet 6 never leaves the publisher; 7 shows the gap.
        try engines.advance(by: .milliseconds(20))
        try engines.send(7...8, from: publisher, ssrc: Self.ssrc)
        try engines.advance(by: .milliseconds(100))
        #expect(publisher.nacked.contains(6))
        publisher.sendRTP(EmbeddedMedia.video(ssrc: Self.ssrc, sequence: 6, keyframe: false))
        try engines.advance(by: .milliseconds(20))
        #expect(viewer.video.map(\.source).sorted() == Array(1...8))
    }

    // Reordering on the way in (RFC 3550 §A.1: sequence numbers, not arrival, give the order).
    @Test(
        "packets from the publisher that arrive out of order keep their order in the viewer's numbering and are not NACKed"
    )
    func reorderedIngest() async throws {
        let engines = EmbeddedEngines()
        let node = try await engines.engine(id: "origin-e", firstPort: 10_000)
        let publisher = try await engines.publisher(of: "cam", on: node)
        let viewer = try await engines.viewer(of: "cam", on: node)
        try engines.send(1...5, from: publisher, ssrc: Self.ssrc, keyframeAt: 1)
        // Packets 6 and 7 are held on the wire, then arrive 7 first.
        let from = publisher.socket.localAddress
        engines.runtime.network.filter = { datagram in
            datagram.source == from && datagram.bytes.count > 12
                && datagram.bytes[1] & 0x7F == EmbeddedMedia.videoPayloadType ? .hold : .deliver
        }
        for sequence in UInt16(6)...7 {
            publisher.sendRTP(EmbeddedMedia.video(ssrc: Self.ssrc, sequence: sequence, keyframe: false))
        }
        engines.runtime.network.filter = nil
        engines.runtime.network.held.reverse()
        engines.runtime.network.release()
        try engines.settle()
        try engines.send(8...10, from: publisher, ssrc: Self.ssrc)
        #expect(viewer.video.map(\.source) == [1, 2, 3, 4, 5, 7, 6, 8, 9, 10])
        // The viewer's numbers follow the publisher's, so its jitter buffer can put them back.
        let bySequence = viewer.video.sorted { Int16(bitPattern: $0.sequence &- $1.sequence) < 0 }
        #expect(bySequence.map(\.source) == Array(1...10))
        #expect(publisher.nacked.isEmpty)
    }

    // A publisher's reconnect (WHIP, RFC 9725 §4.3) must not restart the viewers' streams.
    @Test("when the publisher reconnects, viewers keep one SSRC and one sequence from its next key frame")
    func publisherReconnect() async throws {
        let engines = EmbeddedEngines()
        let node = try await engines.engine(id: "origin-e", firstPort: 10_000)
        let first = try await engines.publisher(of: "cam", on: node)
        let viewer = try await engines.viewer(of: "cam", on: node)
        try engines.send(1...5, from: first, ssrc: Self.ssrc, keyframeAt: 1)
        first.close()
        try engines.advance(by: .milliseconds(40))
        let second = try await engines.publisher(of: "cam", on: node)
        // The viewer needs a picture from the new publisher: the node asks for one as soon as
        // the new publisher's video flows (the request names its SSRC).
        try engines.send(100...102, from: second, ssrc: 0xCAFE)
        #expect(second.keyframeRequests >= 1)
        try engines.send(103...106, from: second, ssrc: 0xCAFE, keyframeAt: 103)
        #expect(viewer.video.map(\.source) == [1, 2, 3, 4, 5, 103, 104, 105, 106])
        #expect(viewer.videoIsContinuous)
        #expect(Set(viewer.received.map(\.ssrc)) == [viewer.videoSSRC])
    }
}
