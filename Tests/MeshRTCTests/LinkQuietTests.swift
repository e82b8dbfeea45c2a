import MeshRTC
import Testing

/// The sending end's early warning that a downstream node may be gone: quiet after a second
/// without feedback, reported once per silence, on a hand-driven clock (no sleeping).
@Suite("Relay link: a quiet downstream end")
struct LinkQuietTests {
    static let ms = LinkHarness.millisecond

    /// The engine's settings (the presets): the downstream end reports every 250 ms, the
    /// sending end calls it quiet after 1 s.
    static func link() throws -> LinkHarness {
        try LinkHarness(senderConfiguration: .upstreamEnd(), receiverConfiguration: .downstreamEnd())
    }

    /// Steps `link` 1 ms at a time for `duration`; with `downstreamAlive` false the downstream
    /// end neither hears nor answers (its process is gone). Returns the instants the sending
    /// end reported the downstream end quiet.
    static func run(_ link: LinkHarness, for duration: UInt64, downstreamAlive: Bool, since start: UInt64)
        -> [UInt64]
    {
        var reports: [UInt64] = []
        let end = link.now + duration
        while link.now < end {
            if downstreamAlive {
                link.advance(by: ms)
            } else {
                link.now += ms
                link.toDownstream.removeAll()
                link.sender.poll(now: link.now, ntpTime: LinkHarness.ntp(link.now)) { _ in }
            }
            if link.sender.downstreamFellQuiet(now: link.now, since: start) { reports.append(link.now) }
        }
        return reports
    }

    @Test("a downstream end that reports is never quiet")
    func reportingEndIsNotQuiet() throws {
        let link = try Self.link()
        let start = link.now
        #expect(Self.run(link, for: 5_000 * Self.ms, downstreamAlive: true, since: start).isEmpty)
        #expect(link.sender.lastHeard != nil)
    }

    @Test("a downstream end that dies is reported quiet once, 1 s after it was last heard")
    func deadEndIsReportedOnce() throws {
        let link = try Self.link()
        let start = link.now
        _ = Self.run(link, for: 2_000 * Self.ms, downstreamAlive: true, since: start)
        let lastHeard = try #require(link.sender.lastHeard)
        let reports = Self.run(link, for: 5_000 * Self.ms, downstreamAlive: false, since: start)
        #expect(reports == [lastHeard + 1_000 * Self.ms])
        // The link itself stays up: only the liveness timeout (10 s here) closes it.
        #expect(!link.sender.isDownstreamSilent(now: link.now, since: start))
    }

    @Test("heard again, then silent again: a second report")
    func newSilenceIsReportedAgain() throws {
        let link = try Self.link()
        let start = link.now
        _ = Self.run(link, for: 1_000 * Self.ms, downstreamAlive: true, since: start)
        #expect(Self.run(link, for: 1_500 * Self.ms, downstreamAlive: false, since: start).count == 1)
        #expect(Self.run(link, for: 1_000 * Self.ms, downstreamAlive: true, since: start).isEmpty)
        #expect(Self.run(link, for: 1_500 * Self.ms, downstreamAlive: false, since: start).count == 1)
    }

    @Test("an end never heard from is quiet 1 s after the link was made")
    func neverHeardCountsFromTheStart() throws {
        let link = try Self.link()
        let start = link.now
        #expect(!link.sender.downstreamFellQuiet(now: start + 999 * Self.ms, since: start))
        #expect(link.sender.downstreamFellQuiet(now: start + 1_000 * Self.ms, since: start))
        #expect(!link.sender.downstreamFellQuiet(now: start + 3_000 * Self.ms, since: start))
    }
}
