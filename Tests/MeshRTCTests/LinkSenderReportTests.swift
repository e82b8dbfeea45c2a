import MeshRTC
import MeshWire
import Testing

/// A publisher clock a test sets by hand, read by the upstream end as the engine's layers are.
final class HandClock {
    var pair: SenderReportClock.Mapping?
}

extension LinkHarness {
    /// Subscribes `ssrc` at both ends (when `downstream`), the upstream end reading `clock`.
    func subscribe(_ ssrc: UInt32, clock: HandClock, downstream: Bool = true) {
        let upstream = PacketHistory(capacity: 64)
        upstreamHistories[ssrc] = upstream
        sender.subscribe(ssrc: ssrc, history: upstream) { clock.pair }
        guard downstream else { return }
        receiver.addTrack(ssrc: ssrc, codec: .vp8, history: PacketHistory(capacity: 64))
    }

    /// The publisher pairs the downstream end has received since the last call, by SSRC.
    func takePairs() -> [UInt32: SenderReportClock.Mapping] {
        var pairs: [UInt32: SenderReportClock.Mapping] = [:]
        receiver.takeSenderReports { ssrc, pair in pairs[ssrc] = pair }
        return pairs
    }
}

/// The publisher's NTP ↔ RTP mapping on relay links (issue 11): each track's pair rides the
/// link's sender reports unchanged, after the link's own SR (RFC 3550 §6.1 compound, §6.4.1 SR).
@Suite("Relay link: publisher clocks in the sender reports")
struct LinkSenderReportTests {
    static let ms: UInt64 = 1_000_000
    static let ssrcs: [UInt32] = [0xAAAA_0001, 0xAAAA_0002, 0xAAAA_0003]
    static let pair = SenderReportClock.Mapping(ntpTimestamp: 0xE5F3_0000_8000_0000, rtpTimestamp: 0x1234_5678)

    @Test("a track's pair reaches the downstream end unchanged, once; the link's SR stays first and keeps RTT working")
    func pairCrossesTheLink() throws {
        let link = try LinkHarness()
        let known = HandClock()
        known.pair = Self.pair
        link.subscribe(Self.ssrcs[0], clock: known)
        link.subscribe(Self.ssrcs[1], clock: HandClock())  // no report from its publisher yet
        link.pollEnds()
        #expect(link.toDownstream.count == 1, "one compound: the link's SR, then the track's")
        link.now += link.oneWayDelay
        link.deliverDue()
        #expect(link.inbound == [.control])
        #expect(link.takePairs() == [Self.ssrcs[0]: Self.pair])
        #expect(link.takePairs().isEmpty, "each pair is handed over once")
        #expect(link.receiver.upstreamSSRC == link.sender.linkSSRC)
        #expect(link.receiver.statistics.senderReportsReceived == 2)
        #expect(link.receiver.statistics.trackSenderReportsReceived == 1)
        #expect(link.sender.statistics.trackSenderReportsSent == 1)
        // The receiver report echoes the link's SR, so the upstream end still measures RTT.
        link.advance(by: 1_100 * Self.ms)
        #expect(link.sender.statistics.roundTripTime != nil)
    }

    @Test("a new pair goes at the next poll; an unchanged one waits for the next report")
    func newPairGoesAtOnce() throws {
        let link = try LinkHarness()
        let clock = HandClock()
        clock.pair = Self.pair
        link.subscribe(Self.ssrcs[0], clock: clock)
        link.advance(by: 20 * Self.ms)
        #expect(link.takePairs() == [Self.ssrcs[0]: Self.pair])
        let reports = link.sender.statistics.senderReportsSent
        // Nothing new: the next SR is the keepalive (500 ms idle with the defaults).
        link.advance(by: 100 * Self.ms)
        #expect(link.sender.statistics.senderReportsSent == reports)
        let newer = SenderReportClock.Mapping(
            ntpTimestamp: Self.pair.ntpTimestamp + (1 << 32), rtpTimestamp: Self.pair.rtpTimestamp &+ 90_000)
        clock.pair = newer
        link.advance(by: 1 * Self.ms)
        #expect(link.sender.statistics.senderReportsSent == reports + 1)
        link.advance(by: link.oneWayDelay)
        #expect(link.takePairs() == [Self.ssrcs[0]: newer])
        // At the next keepalive or report the pair goes again (unchanged: the downstream keeps it).
        link.advance(by: 600 * Self.ms)
        #expect(link.takePairs() == [Self.ssrcs[0]: newer])
    }

    @Test("a pair for a track the downstream end does not take is ignored, never read as the link's SR")
    func unknownTrackPairIsIgnored() throws {
        let link = try LinkHarness()
        let clock = HandClock()
        clock.pair = Self.pair
        link.subscribe(Self.ssrcs[2], clock: clock, downstream: false)
        link.pollEnds()
        link.now += link.oneWayDelay
        link.deliverDue()
        #expect(link.takePairs().isEmpty)
        #expect(link.receiver.upstreamSSRC == link.sender.linkSSRC)
        #expect(link.receiver.statistics.trackSenderReportsReceived == 0)
    }

    @Test("more tracks than one datagram holds: each datagram starts with the link's SR (RFC 3550 §6.1)")
    func manyTracksSplit() throws {
        let link = try LinkHarness()
        let count = LinkSender.trackReportsPerPacket + 5
        var expected: [UInt32: SenderReportClock.Mapping] = [:]
        for index in 0..<count {
            let ssrc = 0xBBBB_0000 + UInt32(index)
            let clock = HandClock()
            clock.pair = SenderReportClock.Mapping(ntpTimestamp: Self.pair.ntpTimestamp, rtpTimestamp: UInt32(index))
            expected[ssrc] = clock.pair
            link.subscribe(ssrc, clock: clock)
        }
        link.pollEnds()
        #expect(link.toDownstream.count == 2)
        #expect(link.toDownstream.allSatisfy { $0.bytes.count <= 1200 })
        link.now += link.oneWayDelay
        link.deliverDue()
        #expect(link.takePairs() == expected)
        #expect(link.receiver.upstreamSSRC == link.sender.linkSSRC)
        #expect(link.sender.statistics.senderReportsSent == 2)
    }
}

/// How a node that is not the origin keeps a relayed pair (RFC 3550 §6.4.1).
@Suite("SFU sender report clock: relayed pairs")
struct SenderReportClockRelayTests {
    static let second: UInt64 = 1 << 32
    static let base = SenderReportClock.Mapping(ntpTimestamp: 3_900_000_000 << 32, rtpTimestamp: 1000)

    /// `clock` takes `pair` or not (outside `#expect`, which cannot call a mutating method).
    private func take(_ clock: inout SenderReportClock, _ pair: SenderReportClock.Mapping) -> Bool {
        clock.receivedRelayedSenderReport(pair)
    }

    @Test("a newer pair replaces the held one; an older or repeated one does not; after a reset any pair is taken")
    func newestWins() {
        var clock = SenderReportClock(clockRate: 90_000)
        #expect(clock.mapping == nil)
        #expect(take(&clock, Self.base))
        let older = SenderReportClock.Mapping(ntpTimestamp: Self.base.ntpTimestamp - Self.second, rtpTimestamp: 7)
        #expect(!take(&clock, older))
        #expect(!take(&clock, Self.base))
        #expect(clock.mapping == Self.base)
        let newer = SenderReportClock.Mapping(ntpTimestamp: Self.base.ntpTimestamp + Self.second, rtpTimestamp: 91_000)
        #expect(take(&clock, newer))
        #expect(clock.mapping == newer)
        // A new source (a reconnect behind a link): its pair counts whatever its NTP time.
        clock.reset()
        #expect(clock.mapping == nil)
        #expect(
            clock.senderReport(ssrc: 1, ntpNow: newer.ntpTimestamp, timestampOffset: 0, packetCount: 0, octetCount: 0)
                == nil)
        #expect(take(&clock, older))
        #expect(clock.mapping == older)
    }
}
