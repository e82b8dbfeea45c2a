import MeshCrypto
import MeshRTC
import MeshWire
import Testing

/// A relay link carries every stream between two nodes under one SRTP context per direction
/// (RFC 7714 keys, one per link), so that context sees every track's SSRC plus the link's own
/// (its sender reports). Issue 14's 60-stream recording run lost 29 of 60 streams here: the
/// per-context SSRC table stopped at 64 (the WebRTC session limit), so past the link's SSRC and
/// 31 two-track streams the upstream end could not protect a new track's packets, and counted
/// them only in `protectFailures`, which no metric showed.
@Suite("Relay link: many tracks on one link")
struct LinkManyTracksTests {
    /// Streams of two tracks each (video + Opus), as meshbench's record scenario publishes them.
    static func trackSSRCs(streams: Int) -> [UInt32] {
        (0..<(2 * streams)).map { 0x0B00_0000 | UInt32($0) }
    }

    @Test("a link carries 200 two-track streams: every track's packets and sender reports cross it")
    func twoHundredStreams() throws {
        let link = try LinkHarness()
        let ssrcs = Self.trackSSRCs(streams: 200)
        for ssrc in ssrcs { link.subscribe(ssrc) }
        for sequence in UInt16(1)...3 {
            for ssrc in ssrcs {
                #expect(link.forward(LinkHarness.packet(ssrc: ssrc, sequence: sequence, size: 200)))
            }
        }
        // The link's own sender report comes first under the link SSRC: one more in the same context.
        link.advance(by: 1100 * LinkTests.ms)
        let missing = ssrcs.filter { link.delivered[$0]?.count != 3 }
        #expect(missing.isEmpty, "tracks with packets lost on the link: \(missing.count) of \(ssrcs.count)")
        #expect(link.sender.statistics.protectFailures == 0)
        #expect(link.receiver.statistics.malformed == 0 && link.receiver.statistics.authenticationFailures == 0)
        #expect(link.sender.statistics.packetsSent == 3 * ssrcs.count)
    }
}

extension LinkManyTracksTests {
    @Test("past the link's SSRC limit a track's packets are not sent and are counted as protect failures")
    func pastTheLimit() throws {
        // 8 SSRCs: the link's own (its sender reports) and 7 tracks; the 8th track has no room.
        let configuration = LinkConfiguration(maximumSSRCs: 8)
        let link = try LinkHarness(senderConfiguration: configuration, receiverConfiguration: configuration)
        let ssrcs = Self.trackSSRCs(streams: 4)
        for ssrc in ssrcs { link.subscribe(ssrc) }
        link.advance(by: 10 * LinkTests.ms)
        for ssrc in ssrcs.dropLast() {
            #expect(link.forward(LinkHarness.packet(ssrc: ssrc, sequence: 1, size: 200)))
        }
        #expect(!link.forward(LinkHarness.packet(ssrc: ssrcs[ssrcs.count - 1], sequence: 1, size: 200)))
        #expect(link.sender.statistics.protectFailures == 1)
    }
}
