import MeshTestSupport
import Testing

@testable import MeshRTC

/// A tap hands a recorder each track's packets in sequence order, out of the layer's history:
/// a packet that arrives ahead of a missing one waits for it (a NACK's retransmission), a
/// packet given up for lost is skipped after the wait and the next one says so, and a full
/// ring drops (and counts) rather than blocks the worker.
@Suite struct TapConsumerTests {
    let ssrc: UInt32 = 0x1234_5678

    func makeTrack() -> PublishedTrack {
        let codec = NegotiatedCodec(
            payloadType: 96, kind: .vp8, clockRate: 90_000, channels: 1, fmtp: nil, rtxPayloadType: nil,
            feedback: [.nack, .pli])
        let layer = PublishedLayer(
            index: 0, rid: "", meshSSRC: ssrc, history: PacketHistory(capacity: 1024), clockRate: 90_000)
        return PublishedTrack(mid: "0", kind: .video, codec: codec, layers: [layer], captureTimeID: nil)
    }

    func makeTap(capacity: Int = 64) -> StreamTap {
        StreamTap(
            stream: "s",
            tracks: [TappedTrack(kind: .video, codec: .vp8, clockRate: 90_000, channels: 1, ssrc: ssrc)],
            capacity: capacity, slotSize: 1500, wallOffset: 0)
    }

    /// Stores packet `sequence` (RFC 3550 §5.1 header, payload = the sequence's low byte) and
    /// routes it to `consumer`, as a link's ingest would, at `now` ns.
    func arrive(
        _ sequence: UInt16, track: PublishedTrack, consumer: TapConsumer, output: WorkerOutput, now: UInt64
    ) {
        let packet = TestPacket.rtp(
            sequence: sequence, timestamp: UInt32(sequence) * 3000, ssrc: ssrc, payload: [UInt8(sequence & 0xFF)])
        packet.withUnsafeBytes {
            _ = track.layers[0].history.store($0, sequence: sequence, arrival: now, isKeyframeStart: false)
        }
        consumer.consume(track, layer: 0, sequence: sequence, now: now, router: TrackRouter(index: 0, output: output))
    }

    func drained(_ tap: StreamTap) -> [(sequence: UInt16, gap: Bool)] {
        var out: [(UInt16, Bool)] = []
        tap.drain { packet in
            out.append((UInt16(packet.bytes[2]) << 8 | UInt16(packet.bytes[3]), packet.followsGap))
        }
        return out
    }

    @Test func aLatePacketIsWaitedForAndHandedOutInOrder() {
        let (track, tap, output) = (makeTrack(), makeTap(), WorkerOutput(index: 0, viewerDropRate: 0, linkDropRate: 0))
        let consumer = TapConsumer(tap: tap, trackIndex: 0, layer: 0)
        arrive(100, track: track, consumer: consumer, output: output, now: 1_000_000)
        arrive(102, track: track, consumer: consumer, output: output, now: 2_000_000)
        arrive(103, track: track, consumer: consumer, output: output, now: 3_000_000)
        #expect(drained(tap).map(\.sequence) == [100])  // 101 is missing: 102 and 103 wait
        // 101 comes back (a retransmission) 50 ms later: all three follow, no gap.
        arrive(101, track: track, consumer: consumer, output: output, now: 50_000_000)
        let out = drained(tap)
        #expect(out.map(\.sequence) == [101, 102, 103])
        #expect(out.allSatisfy { !$0.gap })
        // The first packet asked for a key frame (a recording starts on one).
        let wanted = track.layers[0].keyframeWanted.load(ordering: .relaxed)
        #expect(wanted)
    }

    @Test func aLostPacketIsGivenUpAfterTheWaitAndMarked() {
        let (track, tap, output) = (makeTrack(), makeTap(), WorkerOutput(index: 0, viewerDropRate: 0, linkDropRate: 0))
        let consumer = TapConsumer(tap: tap, trackIndex: 0, layer: 0)
        arrive(10, track: track, consumer: consumer, output: output, now: 1_000_000)
        _ = drained(tap)
        track.layers[0].keyframeWanted.store(false, ordering: .relaxed)
        arrive(12, track: track, consumer: consumer, output: output, now: 2_000_000)
        #expect(drained(tap).isEmpty)
        // Past the wait, the next arrival gives 11 up: 12 and 13 follow, 12 marked.
        let later = 2_000_000 + TapConsumer.giveUpAfter
        arrive(13, track: track, consumer: consumer, output: output, now: later)
        let out = drained(tap)
        #expect(out.map(\.sequence) == [12, 13])
        #expect(out.map(\.gap) == [true, false])
        // Video given up for lost asks for a key frame.
        let wanted = track.layers[0].keyframeWanted.load(ordering: .relaxed)
        #expect(wanted)
        // 11 arriving now is too late and is not handed out.
        arrive(11, track: track, consumer: consumer, output: output, now: later + 1)
        #expect(drained(tap).isEmpty)
    }

    @Test func aTrackFarAheadGivesUpAtOnceAndSequenceNumbersWrap() {
        let (track, tap, output) = (
            makeTrack(), makeTap(capacity: 1024), WorkerOutput(index: 0, viewerDropRate: 0, linkDropRate: 0)
        )
        let consumer = TapConsumer(tap: tap, trackIndex: 0, layer: 0)
        arrive(65_530, track: track, consumer: consumer, output: output, now: 1)
        // 65531 never comes; the track runs more than giveUpDistance packets ahead within the wait.
        var sequence: UInt16 = 65_532
        for _ in 0...TapConsumer.giveUpDistance {
            arrive(sequence, track: track, consumer: consumer, output: output, now: 2)
            sequence &+= 1
        }
        let out = drained(tap)
        #expect(out.first?.sequence == 65_530)
        #expect(out.count == TapConsumer.giveUpDistance + 2)
        #expect(out.dropFirst().first?.gap == true)
        #expect(out.last?.sequence == sequence &- 1)
    }

    @Test func aFullRingDropsAndCountsInsteadOfWaiting() {
        let (track, tap, output) = (
            makeTrack(), makeTap(capacity: 16), WorkerOutput(index: 0, viewerDropRate: 0, linkDropRate: 0)
        )
        let consumer = TapConsumer(tap: tap, trackIndex: 0, layer: 0)
        for sequence in UInt16(0)..<20 { arrive(sequence, track: track, consumer: consumer, output: output, now: 1) }
        #expect(tap.dropped == 4)
        #expect(drained(tap).map(\.sequence) == Array(0..<16))
        arrive(20, track: track, consumer: consumer, output: output, now: 2)
        let out = drained(tap)
        #expect(out.map(\.sequence) == [20] && out[0].gap)
    }
}

extension TapConsumerTests {
    @Test func aTapStartsOnTheKeyFrameAlreadyInTheHistory() {
        let (track, tap, output) = (makeTrack(), makeTap(), WorkerOutput(index: 0, viewerDropRate: 0, linkDropRate: 0))
        // Packets 1...5 arrived before the tap (the link's first key frame starts at 3).
        for sequence in UInt16(1)...5 {
            let packet = TestPacket.rtp(sequence: sequence, timestamp: 9000, ssrc: ssrc, payload: [UInt8(sequence)])
            packet.withUnsafeBytes {
                _ = track.layers[0].history.store($0, sequence: sequence, arrival: 1, isKeyframeStart: sequence == 3)
            }
        }
        let consumer = TapConsumer(tap: tap, trackIndex: 0, layer: 0)
        arrive(6, track: track, consumer: consumer, output: output, now: 2)
        #expect(drained(tap).map(\.sequence) == [3, 4, 5, 6])
        // It had a key frame: none is asked for.
        let wanted = track.layers[0].keyframeWanted.load(ordering: .relaxed)
        #expect(!wanted)
    }
}
