import MeshTestSupport
import Testing

@testable import MeshRTC

/// Why a tapped packet follows a break (issue 14: gaps from a relay-link move or a publisher
/// reconnect are catalogued with their own reason): a break in the history with the layer's
/// feed moved to another link is a link move, one without is a loss, a consumer on rebuilt
/// tracks starts with a publisher change, and a loss in the same stretch does not hide a move.
extension TapConsumerTests {
    func breaks(_ tap: StreamTap) -> [(sequence: UInt16, reason: TapBreak)] {
        var out: [(UInt16, TapBreak)] = []
        tap.drain { packet in
            out.append((UInt16(packet.bytes[2]) << 8 | UInt16(packet.bytes[3]), packet.breakReason))
        }
        return out
    }

    @Test func aBreakAfterTheFeedMovedIsALinkMoveAndOneWithoutIsALoss() {
        let (track, tap, output) = (makeTrack(), makeTap(), WorkerOutput(index: 0, viewerDropRate: 0, linkDropRate: 0))
        let consumer = TapConsumer(tap: tap, trackIndex: 0, layer: 0)
        for sequence in UInt16(1)...3 { arrive(sequence, track: track, consumer: consumer, output: output, now: 1) }
        #expect(breaks(tap).map(\.reason) == [.none, .none, .none])
        // WorkerLinks.route on a failover: the move is counted, then the history breaks.
        track.layers[0].feedMoves.add(1, ordering: .relaxed)
        track.layers[0].history.markDiscontinuity()
        arrive(40, track: track, consumer: consumer, output: output, now: 2)
        arrive(41, track: track, consumer: consumer, output: output, now: 3)
        let moved = breaks(tap)
        #expect(moved.map(\.sequence) == [40, 41])
        #expect(moved.map(\.reason) == [.linkMove, .none])
        // A loss upstream given up for good (LinkReceiver) breaks the history with no move.
        track.layers[0].history.markDiscontinuity()
        arrive(90, track: track, consumer: consumer, output: output, now: 4)
        #expect(breaks(tap).map(\.reason) == [.loss])
    }

    @Test func aLossAfterTheMovedFeedStartedIsALossOfItsOwn() {
        let (track, tap, output) = (makeTrack(), makeTap(), WorkerOutput(index: 0, viewerDropRate: 0, linkDropRate: 0))
        let consumer = TapConsumer(tap: tap, trackIndex: 0, layer: 0)
        arrive(1, track: track, consumer: consumer, output: output, now: 1)
        _ = breaks(tap)
        track.layers[0].feedMoves.add(1, ordering: .relaxed)
        track.layers[0].history.markDiscontinuity()
        // The new link's first packets: 20 arrives, 21 never does, 22 waits past the give-up.
        arrive(20, track: track, consumer: consumer, output: output, now: 2)
        arrive(22, track: track, consumer: consumer, output: output, now: 3)
        arrive(23, track: track, consumer: consumer, output: output, now: 3 + TapConsumer.giveUpAfter)
        let out = breaks(tap)
        #expect(out.map(\.sequence) == [20, 22, 23])
        #expect(out.map(\.reason) == [.linkMove, .loss, .none])
    }

    @Test func aConsumerOnRebuiltTracksStartsWithAPublisherChange() {
        let (track, tap, output) = (makeTrack(), makeTap(), WorkerOutput(index: 0, viewerDropRate: 0, linkDropRate: 0))
        let consumer = TapConsumer(tap: tap, trackIndex: 0, layer: 0, startingBreak: .publisherChange)
        arrive(7, track: track, consumer: consumer, output: output, now: 1)
        arrive(8, track: track, consumer: consumer, output: output, now: 2)
        #expect(breaks(tap).map(\.reason) == [.publisherChange, .none])
    }

    @Test func aFullRingAsTheFeedMovesDoesNotHideTheMove() {
        let (track, tap, output) = (
            makeTrack(), makeTap(capacity: 16), WorkerOutput(index: 0, viewerDropRate: 0, linkDropRate: 0)
        )
        let consumer = TapConsumer(tap: tap, trackIndex: 0, layer: 0)
        for sequence in UInt16(0)..<16 { arrive(sequence, track: track, consumer: consumer, output: output, now: 1) }
        track.layers[0].feedMoves.add(1, ordering: .relaxed)
        track.layers[0].history.markDiscontinuity()
        arrive(40, track: track, consumer: consumer, output: output, now: 2)
        #expect(tap.dropped == 1)
        #expect(breaks(tap).count == 16)
        arrive(41, track: track, consumer: consumer, output: output, now: 3)
        let out = breaks(tap)
        #expect(out.map(\.sequence) == [41])
        #expect(out.map(\.reason) == [.linkMove])
    }
}
