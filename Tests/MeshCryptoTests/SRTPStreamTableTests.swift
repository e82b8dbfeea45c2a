import Testing

@testable import MeshCrypto

/// The per-SSRC index table (RFC 3711 §3.3.1 ROC estimation, §3.3.2 replay windows) starts
/// small, as a viewer's context needs a few SSRCs, and grows without losing any stream's state.
@Suite struct SRTPStreamTableTests {
    /// SSRCs spread over the hash like real ones (random 32-bit values, RFC 3550 §8.1).
    static let ssrcs: [UInt32] = (1...40).map { UInt32(truncatingIfNeeded: $0 &* 0x9E37_79B9 ^ 0x5A5A_1234) }

    @Test func startsWithRoomForAFewStreams() {
        let table = SRTPStreamTable(replayWindow: 1024)
        #expect(table.room == SRTPStreamTable.defaultInitialCapacity)
        #expect(SRTPStreamTable(replayWindow: 1024, initialCapacity: 3).room == 4)
        #expect(SRTPStreamTable(replayWindow: 1024, initialCapacity: 1000).room == SRTPStreamTable.capacity)
    }

    @Test func growingKeepsEveryStreamsIndexAndReplayState() throws {
        let table = SRTPStreamTable(replayWindow: 128)
        // Each SSRC gets its own highest index and ROC, so a state moved to the wrong slot shows.
        for (number, ssrc) in Self.ssrcs.enumerated() {
            let slot = try table.slot(for: ssrc)
            table.accept(Int64(number) << 16 | 100, slot: slot, track: .rtp)
            table.accept(Int64(number + 1), slot: slot, track: .rtcp)
        }
        #expect(table.room == 64)
        for (number, ssrc) in Self.ssrcs.enumerated() {
            let slot = try #require(table.lookup(ssrc))
            // The same packet again is a replay; the next one continues the stream's ROC.
            #expect(throws: SRTPError.replayFail) { try table.rtpIndex(sequence: 100, slot: slot) }
            #expect(try table.rtpIndex(sequence: 101, slot: slot) == Int64(number) << 16 | 101)
            #expect(throws: SRTPError.replayFail) { try table.check(Int64(number + 1), slot: slot, track: .rtcp) }
            #expect(try table.nextRTCPIndex(slot: slot) == Int64(number + 2))
        }
        #expect(table.lookup(0xDEAD_BEEF) == nil)
    }

    @Test func rolloverCounterSetBeforeTheFirstPacketSurvivesGrowth() throws {
        let table = SRTPStreamTable(replayWindow: 128, initialCapacity: 1)
        try table.setRolloverCounter(7, forSSRC: Self.ssrcs[0])
        for ssrc in Self.ssrcs[1..<10] { _ = try table.slot(for: ssrc) }
        #expect(table.room == 16)
        let slot = try #require(table.lookup(Self.ssrcs[0]))
        #expect(try table.rtpIndex(sequence: 5, slot: slot) == 7 << 16 | 5)
    }

    @Test func receiverWithManyStreamsStillRejectsReplays() throws {
        // End to end through SRTPReceiver (our GCM transform): ten SSRCs outgrow the first
        // table twice; the first stream's packet, replayed afterwards, is still refused.
        var sender = try SRTPSender(SRTPAEADTests.masterKey)
        var receiver = try SRTPReceiver(SRTPAEADTests.masterKey)
        var first: [UInt8] = []
        for ssrc in Self.ssrcs[0..<10] {
            var plain = SRTPRoundTripTests.rtpPacket(sequence: 1)
            plain.replaceSubrange(8..<12, with: SRTPReference.bigEndian(ssrc))
            let protected = try inBuffer(plain) { try sender.protectRTP($0, length: $1) }
            #expect(try inBuffer(protected) { try receiver.unprotectRTP($0, length: $1) } == plain)
            if first.isEmpty { first = protected }
        }
        #expect(throws: SRTPError.replayFail) { _ = try inBuffer(first) { try receiver.unprotectRTP($0, length: $1) } }
    }
}
