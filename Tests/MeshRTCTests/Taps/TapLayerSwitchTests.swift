import MeshTestSupport
import Testing

@testable import MeshRTC

/// `layers: top` (issue 14): a tapped simulcast track follows the best live layer. When the top
/// layer stops (its bitrate, measured each second, falls to 0) the tap asks for a key frame of
/// the next one and moves there at the first packet of one, never between key frames; when the
/// top comes back it moves up the same way. Each move is a ``TapBreak/layerSwitch`` carrying
/// the new layer's index, so the recorder restarts the track's depacketizer and clock.
@Suite struct TapLayerSwitchTests {
    static let low: UInt32 = 0x1111
    static let high: UInt32 = 0x2222
    let output = WorkerOutput(index: 0, viewerDropRate: 0, linkDropRate: 0)

    /// A VP8 track with two layers: `q` (index 0, lowest in SDP order) and `f` (index 1).
    func makeTrack() -> PublishedTrack {
        let codec = NegotiatedCodec(
            payloadType: 96, kind: .vp8, clockRate: 90_000, channels: 1, fmtp: nil, rtxPayloadType: nil,
            feedback: [.nack, .pli])
        let layers = [(0, "q", Self.low), (1, "f", Self.high)].map { index, rid, ssrc in
            PublishedLayer(
                index: index, rid: rid, meshSSRC: ssrc, history: PacketHistory(capacity: 1024), clockRate: 90_000)
        }
        return PublishedTrack(mid: "0", kind: .video, codec: codec, layers: layers, captureTimeID: nil)
    }

    func makeTap() -> StreamTap {
        StreamTap(
            stream: "s",
            tracks: [
                TappedTrack(
                    kind: .video, codec: .vp8, clockRate: 90_000, channels: 1, ssrc: Self.high, layer: 1,
                    rids: ["q", "f"], followsTop: true)
            ],
            capacity: 256, slotSize: 1500, wallOffset: 0)
    }

    /// Stores packet `sequence` of `layer` and routes it, as a link's ingest would.
    func arrive(
        _ sequence: UInt16, layer: Int, key: Bool = false, track: PublishedTrack, consumer: TapConsumer, now: UInt64
    ) {
        let ssrc = track.layers[layer].meshSSRC
        let packet = TestPacket.rtp(sequence: sequence, timestamp: UInt32(sequence) * 3000, ssrc: ssrc, payload: [1])
        packet.withUnsafeBytes {
            _ = track.layers[layer].history.store($0, sequence: sequence, arrival: now, isKeyframeStart: key)
        }
        consumer.consume(
            track, layer: layer, sequence: sequence, now: now, router: TrackRouter(index: 0, output: output))
    }

    /// Whether a key frame of `layer` was asked for.
    func wanted(_ track: PublishedTrack, _ layer: Int) -> Bool {
        track.layers[layer].keyframeWanted.load(ordering: .relaxed)
    }

    /// (layer, sequence, break) of each packet handed out.
    func drained(_ tap: StreamTap) -> [(layer: Int, sequence: UInt16, reason: TapBreak)] {
        var out: [(Int, UInt16, TapBreak)] = []
        tap.drain { packet in
            out.append((packet.layer, UInt16(packet.bytes[2]) << 8 | UInt16(packet.bytes[3]), packet.breakReason))
        }
        return out
    }

    @Test func theTopStoppingMovesDownAtTheLowerLayersKeyFrameAndBackUpAtTheTopsKeyFrame() {
        let (track, tap) = (makeTrack(), makeTap())
        let consumer = TapConsumer(tap: tap, trackIndex: 0, layer: 1, followsTop: true)
        #expect(consumer.wantedLayers(of: track) == 0b11)
        track.layers[0].bitrate.store(150_000, ordering: .relaxed)
        track.layers[1].bitrate.store(1_500_000, ordering: .relaxed)
        // Both layers flow; the top (f) is handed out, q is not.
        arrive(500, layer: 1, key: true, track: track, consumer: consumer, now: 1)
        arrive(900, layer: 0, key: true, track: track, consumer: consumer, now: 2)
        arrive(501, layer: 1, track: track, consumer: consumer, now: 3)
        #expect(drained(tap).map(\.sequence) == [500, 501])
        track.layers[0].keyframeWanted.store(false, ordering: .relaxed)
        track.layers[1].keyframeWanted.store(false, ordering: .relaxed)

        // f stops: a second without its packets measures 0. q's next packets (not key frames)
        // are not handed out; a key frame of q is asked for.
        track.layers[1].bitrate.store(0, ordering: .relaxed)
        let later: UInt64 = 1_000_000_000
        arrive(901, layer: 0, track: track, consumer: consumer, now: later)
        arrive(902, layer: 0, track: track, consumer: consumer, now: later + 1)
        #expect(drained(tap).isEmpty)
        #expect(consumer.switchTarget == 0)
        #expect(wanted(track, 0))
        // q's key frame: the tap moves there, the first packet says so.
        arrive(903, layer: 0, key: true, track: track, consumer: consumer, now: later + 2)
        arrive(904, layer: 0, track: track, consumer: consumer, now: later + 3)
        let down = drained(tap)
        #expect(down.map(\.layer) == [0, 0])
        #expect(down.map(\.sequence) == [903, 904])
        #expect(down.map(\.reason) == [.layerSwitch, .none])
        #expect(consumer.layer == 0 && consumer.switchTarget == nil)

        // f comes back: its packets are asked a key frame for and wait for one; q goes on.
        track.layers[1].bitrate.store(1_200_000, ordering: .relaxed)
        let back = later * 3
        arrive(600, layer: 1, track: track, consumer: consumer, now: back)
        arrive(905, layer: 0, track: track, consumer: consumer, now: back + 1)
        #expect(consumer.switchTarget == 1)
        #expect(wanted(track, 1))
        arrive(601, layer: 1, key: true, track: track, consumer: consumer, now: back + 2)
        arrive(906, layer: 0, track: track, consumer: consumer, now: back + 3)
        arrive(602, layer: 1, track: track, consumer: consumer, now: back + 4)
        let up = drained(tap)
        #expect(up.map(\.layer) == [0, 1, 1])
        #expect(up.map(\.sequence) == [905, 601, 602])
        #expect(up.map(\.reason) == [.none, .layerSwitch, .none])
    }

    @Test func nothingMeasuredYetKeepsTheLayerItStartedOn() {
        let (track, tap) = (makeTrack(), makeTap())
        let consumer = TapConsumer(tap: tap, trackIndex: 0, layer: 1, followsTop: true)
        // Before the first second's measurement every bitrate is 0: no layer is known to be live.
        arrive(10, layer: 1, key: true, track: track, consumer: consumer, now: 1)
        arrive(20, layer: 0, key: true, track: track, consumer: consumer, now: 200_000_000)
        arrive(11, layer: 1, track: track, consumer: consumer, now: 400_000_000)
        #expect(drained(tap).map(\.sequence) == [10, 11])
        #expect(consumer.switchTarget == nil)
    }

    @Test func aConsumerThatDoesNotFollowTakesOnlyItsLayer() {
        let (track, tap) = (makeTrack(), makeTap())
        let consumer = TapConsumer(tap: tap, trackIndex: 0, layer: 0)
        #expect(consumer.wantedLayers(of: track) == 0b01)
        track.layers[1].bitrate.store(1_500_000, ordering: .relaxed)
        arrive(30, layer: 0, key: true, track: track, consumer: consumer, now: 1)
        arrive(40, layer: 1, key: true, track: track, consumer: consumer, now: 2)
        arrive(31, layer: 0, track: track, consumer: consumer, now: 3)
        #expect(drained(tap).map(\.sequence) == [30, 31])
    }

    @Test func aKeyFrameRequestReachesEveryVideoConsumersLayer() {
        let (track, tap) = (makeTrack(), makeTap())
        // `layers: all`: one consumer per layer of the same track.
        let low = TapConsumer(tap: tap, trackIndex: 0, layer: 0)
        let high = TapConsumer(tap: tap, trackIndex: 0, layer: 1)
        arrive(1, layer: 0, key: true, track: track, consumer: low, now: 1)
        arrive(1, layer: 1, key: true, track: track, consumer: high, now: 1)
        _ = drained(tap)
        track.layers[0].keyframeWanted.store(false, ordering: .relaxed)
        track.layers[1].keyframeWanted.store(false, ordering: .relaxed)
        tap.requestKeyframe()
        arrive(2, layer: 0, track: track, consumer: low, now: 2)
        arrive(2, layer: 1, track: track, consumer: high, now: 2)
        #expect(wanted(track, 0))
        #expect(wanted(track, 1))
    }

    @Test func theHistoryTellsAKeyFrameStartWithoutACopy() {
        let history = PacketHistory(capacity: 16)
        let packet = TestPacket.rtp(sequence: 7, timestamp: 0, ssrc: 1, payload: [0])
        packet.withUnsafeBytes { _ = history.store($0, sequence: 7, arrival: 0, isKeyframeStart: true) }
        #expect(history.isKeyframeStart(sequence: 7) == true)
        #expect(history.isKeyframeStart(sequence: 8) == nil)
        // Sequence 23 shares slot 7 of 16 and was never stored.
        #expect(history.isKeyframeStart(sequence: 23) == nil)
    }
}
