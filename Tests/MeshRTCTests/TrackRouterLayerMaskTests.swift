import MeshRuntime
import Synchronization
import Testing

@testable import MeshRTC

/// Issue 12, item 3: a worker is told of a layer's packets only while one of its consumers
/// wants that layer. Two routers (workers 0 and 1) share one two-layer track; the notices
/// worker 0 pushes to worker 1 are recorded by the inbox.
@Suite("Track router layer masks")
struct TrackRouterLayerMaskTests {
    /// Records the notices pushed to worker 1.
    final class RecordingInbox: LoopInbox, @unchecked Sendable {
        let notices = Mutex<[Int]>([])
        func send(_ element: consuming ForwardNotice) -> InboxSendResult {
            let layer = element.layer
            notices.withLock { $0.append(layer) }
            return .accepted
        }
        func close() {}
    }

    /// Counts the packets it is handed, by layer.
    final class CountingConsumer: TrackConsumer {
        let isLink: Bool
        var consumed: [Int] = []
        init(isLink: Bool) { self.isLink = isLink }
        func consume(_ track: PublishedTrack, layer: Int, sequence: UInt16, now: UInt64, router: TrackRouter) {
            consumed.append(layer)
        }
    }

    static func makeTrack() -> PublishedTrack {
        let codec = NegotiatedCodec(
            payloadType: 96, kind: .vp8, clockRate: 90_000, channels: 1, fmtp: nil, rtxPayloadType: nil,
            feedback: [.nack, .pli])
        let layers = (0..<2).map {
            PublishedLayer(
                index: $0, rid: "r\($0)", meshSSRC: 0x100 + UInt32($0), history: PacketHistory(capacity: 64),
                clockRate: 90_000)
        }
        return PublishedTrack(mid: "0", kind: .video, codec: codec, layers: layers, captureTimeID: nil)
    }

    static func masks(_ track: PublishedTrack) -> [UInt64] {
        track.layers.map { $0.consumerWorkers.load(ordering: .relaxed) }
    }

    @Test("only workers whose consumers want a layer get its notices, and the masks follow switches")
    func noticesFollowWantedLayers() {
        let track = Self.makeTrack()
        let inbox = RecordingInbox()
        let producer = TrackRouter(index: 0, output: WorkerOutput(index: 0, viewerDropRate: 0, linkDropRate: 0))
        let other = TrackRouter(index: 1, output: WorkerOutput(index: 1, viewerDropRate: 0, linkDropRate: 0))
        producer.inboxes = [nil, inbox]

        // A viewer on worker 1 watching the low layer; a link on worker 0 forwarding both.
        let viewer = CountingConsumer(isLink: false)
        other.add(viewer, of: track, layers: 0b01)
        let link = CountingConsumer(isLink: true)
        producer.add(link, of: track, layers: 0b11)
        #expect(Self.masks(track) == [0b11, 0b01])

        producer.route(track, layer: 0, sequence: 1, now: 0)
        producer.route(track, layer: 1, sequence: 1, now: 0)
        #expect(inbox.notices.withLock { $0 } == [0])  // the high layer stays on worker 0
        #expect(link.consumed == [0, 1])

        // The viewer switches up: for a while it wants both, then only the high layer.
        other.want(0b11, by: viewer, of: track)
        #expect(Self.masks(track) == [0b11, 0b11])
        other.want(0b10, by: viewer, of: track)
        #expect(Self.masks(track) == [0b01, 0b11])
        producer.route(track, layer: 0, sequence: 2, now: 0)
        producer.route(track, layer: 1, sequence: 2, now: 0)
        #expect(inbox.notices.withLock { $0 } == [0, 1])

        // A second viewer on worker 1 on the low layer; the first one leaves.
        let second = CountingConsumer(isLink: false)
        other.add(second, of: track, layers: 0b01)
        other.remove(viewer, of: track)
        #expect(Self.masks(track) == [0b11, 0b01])
        other.remove(second, of: track)
        producer.remove(link, of: track)
        #expect(Self.masks(track) == [0, 0])
        producer.route(track, layer: 0, sequence: 3, now: 0)
        #expect(inbox.notices.withLock { $0 } == [0, 1])
    }

    @Test("a forwarder wants every layer until it starts, then its own and the one it switches to")
    func forwarderWantedLayers() {
        let (forwarder, histories) = SFUViewerTrackForwarderTests.makeForwarder(rtx: false)
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        #expect(forwarder.wantedLayers == 0b11)  // whichever key frame comes first starts it
        SFUViewerTrackForwarderTests.publish(histories, layer: 0, sequence: 2, timestamp: 3000, key: true)
        #expect(forwarder.forward(layer: 0, sequence: 2, now: 0, into: out) != nil)
        #expect(forwarder.wantedLayers == 0b01)
        forwarder.setLayerBitrate(200_000, layer: 0, now: 0)
        forwarder.setLayerBitrate(1_000_000, layer: 1, now: 0)
        forwarder.receivedREMB(bitrate: 3_000_000, now: 0)
        #expect(forwarder.wantedLayers == 0b11)  // still on 0, waiting for a key frame of 1
        SFUViewerTrackForwarderTests.publish(histories, layer: 1, sequence: 51, timestamp: 9000, key: true)
        #expect(forwarder.forward(layer: 1, sequence: 51, now: 40_000_000, into: out) != nil)
        #expect(forwarder.wantedLayers == 0b10)
    }
}
