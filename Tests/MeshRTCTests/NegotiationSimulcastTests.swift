import MeshRTC
import MeshWire
import Testing

/// RID-based simulcast from publishers (RFC 8851, RFC 8853), on hand-written offers.
@Suite struct NegotiationSimulcastTests {
    static let ridExtension = "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"

    static func offer(_ simulcastLines: String, extensions: String = ridExtension) -> String {
        NegotiationOffers.offer(
            group: "a=group:BUNDLE 1",
            NegotiationOffers.video(
                payloadTypes: "96 97 45",
                """
                \(extensions)
                a=rtpmap:96 VP8/90000
                a=rtpmap:97 rtx/90000
                a=fmtp:97 apt=96
                a=rtpmap:45 AV1/90000
                \(simulcastLines)
                """))
    }

    /// `send q;h;f` is answered `recv q;h;f` with `a=rid:X recv` (RFC 8853 §5.3).
    @Test func sendIsAnsweredRecv() throws {
        let run = try NegotiationRun(
            Self.offer("a=rid:q send\na=rid:h send\na=rid:f send\na=simulcast:send q;h;f"), role: .publisher)
        #expect(try run.media("1").simulcastRIDs == ["q", "h", "f"])
        let section = try run.section("1")
        #expect(section.rids == ["q", "h", "f"].map { RIDDescription(id: $0, direction: .receive) })
        #expect(section.simulcast == Simulcast(receive: ["q", "h", "f"].map { [Simulcast.Stream(rid: $0)] }))
    }

    /// Paused (`~`) streams are left out; of alternatives (`,`) the first usable one is taken;
    /// a RID without an `a=rid` send line is skipped (RFC 8853 §5.1).
    @Test func pausedAlternativesAndUndeclared() throws {
        let run = try NegotiationRun(
            Self.offer(
                "a=rid:lo send\na=rid:mid send\na=rid:hi send\na=rid:x recv\na=simulcast:send ~lo;x,mid;hi;ghost"),
            role: .publisher)
        #expect(try run.media("1").simulcastRIDs == ["mid", "hi"])
        #expect(try run.section("1").rids.map(\.id) == ["mid", "hi"])
    }

    /// A RID restricted to refused payload types is dropped; `pt=` keeps accepted types only,
    /// other restrictions are echoed (RFC 8851 §4).
    @Test func ridPayloadTypeRestrictions() throws {
        let run = try NegotiationRun(
            Self.offer("a=rid:a send pt=45\na=rid:b send pt=45,96;max-width=1280\na=simulcast:send a;b"),
            role: .publisher)
        #expect(try run.media("1").simulcastRIDs == ["b"])
        let rid = try #require(try run.section("1").rids.first)
        #expect(rid.payloadTypes == [96])
        #expect(rid["max-width"] == "1280")
    }

    /// Without the rtp-stream-id extension the layers cannot be told apart (RFC 8852 §3.1), so
    /// simulcast is not answered; likewise when the capabilities turn it off.
    @Test func needsRIDExtensionAndCapability() throws {
        let lines = "a=rid:q send\na=rid:h send\na=simulcast:send q;h"
        let noExtension = try NegotiationRun(Self.offer(lines, extensions: ""), role: .publisher)
        #expect(try noExtension.media("1").simulcastRIDs.isEmpty)
        #expect(try noExtension.section("1").simulcast == nil)
        let off = try NegotiationRun(
            Self.offer(lines), role: .publisher, capabilities: MediaCapabilities(codecs: [.vp8], simulcast: false))
        #expect(try off.media("1").simulcastRIDs.isEmpty)
        #expect(try off.section("1").rids.isEmpty)
    }

    /// A viewer's `a=simulcast:recv` is not answered: the node sends one stream per section.
    @Test func viewerSimulcastIgnored() throws {
        let offer = NegotiationOffers.offer(
            group: "a=group:BUNDLE 1",
            NegotiationOffers.video(
                direction: "recvonly", payloadTypes: "96",
                "\(Self.ridExtension)\na=rtpmap:96 VP8/90000\na=rid:q recv\na=simulcast:recv q"))
        let run = try NegotiationRun(offer, role: .viewer)
        #expect(try run.section("1").simulcast == nil)
        #expect(try run.media("1").simulcastRIDs.isEmpty)
    }
}
