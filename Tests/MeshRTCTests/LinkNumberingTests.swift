import MeshWire
import Testing

@testable import MeshRTC

/// A new source under a forwarded mesh SSRC (a publisher reconnected at the origin, which keeps
/// the layer's mesh SSRC) continues the link's numbering of the SSRC: one SSRC, one sequence
/// (RFC 3550 §5.1), so the SRTP index (RFC 3711 §3.3.1) stays inside the replay window and the
/// next hop sees no gap. NACKs for the new source are answered from its history.
@Suite("Relay link numbering across a new source of one SSRC (RFC 3550 §5.1, RFC 3711 §3.3.1)")
struct LinkNumberingTests {
    static let ms: UInt64 = 1_000_000
    static let ssrc: UInt32 = 0x0A0B_0C0D

    /// The origin's move to a reconnected publisher's history, as WorkerLinks.follow does it.
    static func newSource(on link: LinkHarness) -> PacketHistory {
        let history = PacketHistory(capacity: link.historyCapacity)
        link.upstreamHistories[ssrc] = history
        link.sender.unsubscribe(ssrc: ssrc)
        link.sender.subscribe(ssrc: ssrc, history: history, continuingNumbering: true)
        return history
    }

    @Test("a new source numbered 20,000 behind goes out as newest + 1 and reaches the next hop without a gap")
    func continuesBehind() throws {
        let link = try LinkHarness()
        link.subscribe(Self.ssrc)
        for sequence in UInt16(20_000)..<20_050 {
            link.forward(LinkHarness.packet(ssrc: Self.ssrc, sequence: sequence))
        }
        link.advance(by: 20 * Self.ms)
        _ = Self.newSource(on: link)
        for sequence in UInt16(100)..<150 {
            #expect(link.forward(LinkHarness.packet(ssrc: Self.ssrc, sequence: sequence)))
        }
        link.advance(by: 50 * Self.ms)
        #expect(link.sender.statistics.protectFailures == 0)
        #expect(link.delivered[Self.ssrc] == Set(UInt16(20_000)..<20_100))
        #expect(link.receiver.missingSequences(ssrc: Self.ssrc).isEmpty)
        #expect(link.downstreamHistories[Self.ssrc]?.generation == 0)
        // The new source's 100 went out as 20,050 with its own bytes.
        let first = try #require(link.deliveredBytes[Self.ssrc]?[20_050])
        #expect(Array(first[12...]) == Array(LinkHarness.packet(ssrc: Self.ssrc, sequence: 100)[12...]))
    }

    @Test("a lost packet of the new source is NACKed by its link number and answered from the new history")
    func nackAfterContinuation() throws {
        let link = try LinkHarness()
        link.subscribe(Self.ssrc)
        for sequence in UInt16(5000)..<5010 { link.forward(LinkHarness.packet(ssrc: Self.ssrc, sequence: sequence)) }
        let history = Self.newSource(on: link)
        for sequence in UInt16(60_000)..<60_020 {
            let packet = LinkHarness.packet(ssrc: Self.ssrc, sequence: sequence)
            if sequence == 60_005 {
                // The history has it, the wire loses it: that is link number 5015.
                packet.withRaw { _ = history.store($0, sequence: sequence, arrival: 0, isKeyframeStart: false) }
                let lost = makeOutputBuffer(2048)
                defer { lost.deallocate() }
                _ = packet.withRaw { link.sender.protect($0, into: lost, now: link.now) }
                continue
            }
            link.forward(packet)
        }
        link.advance(by: 60 * Self.ms)
        #expect(link.sender.statistics.packetsResent == 1)
        let repaired = try #require(link.deliveredBytes[Self.ssrc]?[5015])
        #expect(Array(repaired[12...]) == Array(LinkHarness.packet(ssrc: Self.ssrc, sequence: 60_005)[12...]))
        #expect(link.receiver.missingSequences(ssrc: Self.ssrc).isEmpty)
    }

    @Test("numbering: unchanged until a new source, then newest + 1; earlier link numbers map to nothing")
    func numbering() {
        var numbering = LinkTrackNumbering()
        numbering.continueWithNewSource()  // nothing sent yet: nothing to continue
        #expect(numbering.send(700) == 700)
        #expect(numbering.send(702) == 702)
        #expect(numbering.send(701) == 701)  // late: numbered as it is, newest stays 702
        numbering.continueWithNewSource()
        #expect(numbering.send(65_530) == 703)
        #expect(numbering.send(2) == 711)  // across the source's wrap, the spacing is kept
        #expect(numbering.historySequence(ofLink: 711) == 2)
        #expect(numbering.historySequence(ofLink: 703) == 65_530)
        #expect(numbering.historySequence(ofLink: 702) == nil)  // the earlier source's packet
    }
}
