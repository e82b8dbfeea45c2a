import MeshCluster
import MeshRTC
import MeshRuntime
import MeshWire
import Testing

/// Lip sync behind a relay link (issue 11): the publisher's NTP ↔ RTP mapping per track crosses
/// the link (origin → edge) in the link's sender reports, and the edge sends its viewer SRs
/// translated through the viewer's rewriter, as the origin does (RFC 3550 §6.4.1: the NTP and
/// RTP timestamps of an SR name the same instant). Tests/Interop/test_mesh_sender_reports.py
/// checks the same with aiortc and real processes, through a relay.
@Suite("Embedded engine: sender reports across a link", .serialized)
struct EmbeddedSenderReportTests {
    static let videoSSRC: UInt32 = 0x0BAD_CAFE
    static let audioSSRC: UInt32 = 0x0A0D_10AA
    /// What the publisher's SRs add to the RTP time of its latest packet: any pair will do, as
    /// long as the viewer's SRs give it back.
    static let videoLead: UInt32 = 1234
    static let audioLead: UInt32 = 480

    /// The mapping of each kind: (mid, clock rate, the publisher's SR pair).
    struct Expected {
        let mid: String
        let clockRate: Double
        let pair: SenderReportClock.Mapping
        /// The publisher's RTP time of the packet numbered `sequence` (``EmbeddedMedia``).
        let sourceTimestamp: (UInt16) -> UInt32
    }

    @Test(
        "an edge viewer's audio and video SRs, mapped back through its timestamp offsets, state the publisher's NTP/RTP pairs within 1 ms (RFC 3550 §6.4.1)"
    )
    func publisherMappingReachesEdgeViewer() async throws {
        let engines = EmbeddedEngines()
        let origin = try await engines.engine(id: "origin-e", firstPort: 10_000)
        let edge = try await engines.engine(id: "edge-e", role: "edge", firstPort: 11_000)
        let publisher = try await engines.publisher(of: "cam", on: origin)
        try sendMedia(1...2, from: publisher, engines: engines)
        let record = try #require(await origin.carriedStream("cam"))
        _ = try await engines.link(record, from: origin, to: edge)
        let viewer = try await engines.viewer(of: "cam", on: edge)
        try engines.advance(by: .milliseconds(100))
        try sendMedia(3...5, from: publisher, engines: engines, keyframeAt: 3)
        let expected = sendReports(from: publisher, latest: 5, ntp: engines.runtime.clock.ntpNow())
        // 1.5 s: the pairs cross the link at its next poll, the edge reports to its viewer every second.
        try sendMedia(6...80, from: publisher, engines: engines)
        for kind in expected {
            let offsets = try Self.check(viewer, against: kind)
            #expect(offsets.count >= 1, "no SR for mid \(kind.mid) reached the edge's viewer")
            #expect(offsets.allSatisfy { abs($0) <= 0.001 }, "mid \(kind.mid): offsets \(offsets) s")
        }
    }

    @Test(
        "a publisher that reconnects with a clock behind the old one: the break resets the edge's clock, and its viewer's SRs follow the new mapping"
    )
    func reconnectResetsTheEdgeClock() async throws {
        let engines = EmbeddedEngines()
        let origin = try await engines.engine(id: "origin-e", firstPort: 10_000)
        let edge = try await engines.engine(id: "edge-e", role: "edge", firstPort: 11_000)
        let first = try await engines.publisher(of: "cam", on: origin)
        try sendMedia(1...2, from: first, engines: engines)
        let record = try #require(await origin.carriedStream("cam"))
        _ = try await engines.link(record, from: origin, to: edge)
        let viewer = try await engines.viewer(of: "cam", on: edge)
        try engines.advance(by: .milliseconds(100))
        try sendMedia(3...5, from: first, engines: engines, keyframeAt: 3)
        let old = sendReports(from: first, latest: 5, ntp: engines.runtime.clock.ntpNow())
        try sendMedia(6...60, from: first, engines: engines)
        first.close()
        try engines.advance(by: .milliseconds(40))

        // The new publisher numbers from far ahead (the edge gives the gap up: a break) and its
        // wall clock is 10 s behind: its pairs are older by NTP time than the old publisher's.
        let second = try await engines.publisher(of: "cam", on: origin)
        try sendMedia(2000...2002, from: second, engines: engines)
        let behind = engines.runtime.clock.ntpNow() &- (10 << 32)
        let new = sendReports(from: second, latest: 2002, ntp: behind)
        try sendMedia(2003...2010, from: second, engines: engines, keyframeAt: 2003)
        // From here on the viewer's stream is the new publisher's, with the offsets of its new source.
        viewer.clearReceived()
        try sendMedia(2011...2090, from: second, engines: engines)
        for (kind, stale) in zip(new, old) {
            let offsets = try Self.check(viewer, against: kind)
            #expect(offsets.count >= 1, "no SR for mid \(kind.mid) after the reconnect")
            #expect(offsets.allSatisfy { abs($0) <= 0.001 }, "mid \(kind.mid): offsets \(offsets) s")
            #expect(stale.pair != kind.pair)
        }
    }

    // MARK: Helpers

    /// Audio and video packets `sequences`, 20 ms apart, `keyframeAt` starting a key frame.
    private func sendMedia(
        _ sequences: ClosedRange<UInt16>, from publisher: EmbeddedPeer, engines: EmbeddedEngines,
        keyframeAt: UInt16? = nil
    ) throws {
        for sequence in sequences {
            publisher.sendRTP(
                EmbeddedMedia.video(ssrc: Self.videoSSRC, sequence: sequence, keyframe: sequence == keyframeAt))
            publisher.sendRTP(EmbeddedMedia.audio(ssrc: Self.audioSSRC, sequence: sequence))
            try engines.advance(by: .milliseconds(20))
        }
    }

    /// The publisher's SRs for audio and video at `ntp`, just after packet `latest`.
    private func sendReports(from publisher: EmbeddedPeer, latest: UInt16, ntp: UInt64) -> [Expected] {
        let video = SenderReportClock.Mapping(
            ntpTimestamp: ntp, rtpTimestamp: UInt32(latest) &* 3000 &+ Self.videoLead)
        let audio = SenderReportClock.Mapping(ntpTimestamp: ntp, rtpTimestamp: UInt32(latest) &* 960 &+ Self.audioLead)
        for (ssrc, pair) in [(Self.videoSSRC, video), (Self.audioSSRC, audio)] {
            publisher.sendRTCP(
                SenderReport(
                    ssrc: ssrc, ntpTimestamp: pair.ntpTimestamp, rtpTimestamp: pair.rtpTimestamp, packetCount: 0,
                    octetCount: 0))
        }
        return [
            Expected(mid: "0", clockRate: 48_000, pair: audio) { UInt32($0) &* 960 },
            Expected(mid: "1", clockRate: 90_000, pair: video) { UInt32($0) &* 3000 },
        ]
    }

    /// For each SR the viewer got for `kind`'s section: the viewer's RTP time mapped back to the
    /// publisher's (through the offset its packets show: viewer's timestamp − publisher's),
    /// then the wall-clock time the publisher's pair gives that instant, minus the SR's NTP
    /// time, in seconds. 0 when the edge stated the publisher's mapping.
    static func check(_ viewer: EmbeddedPeer, against kind: Expected) throws -> [Double] {
        let ssrc = try #require(viewer.answer?.ssrcs[kind.mid])
        let offsets = Set(
            viewer.received.filter { $0.ssrc == ssrc && !$0.isRetransmission }.compactMap { packet in
                EmbeddedMedia.origin(of: packet.payload).map { packet.timestamp &- kind.sourceTimestamp($0.sequence) }
            })
        // One translation: the viewer's stream is the source's shifted by one offset (RFC 3550 §5.1).
        #expect(offsets.count == 1, "mid \(kind.mid): offsets \(offsets)")
        guard let offset = offsets.first else { return [] }
        return viewer.rtcp.compactMap { feedback in
            guard case .senderReport(ssrc, let ntp, let rtp) = feedback else { return nil }
            let source = rtp &- offset
            let mediaSeconds = Double(Int32(bitPattern: source &- kind.pair.rtpTimestamp)) / kind.clockRate
            let wallSeconds = Double(Int64(bitPattern: ntp &- kind.pair.ntpTimestamp)) / 4_294_967_296
            return wallSeconds - mediaSeconds
        }
    }
}
