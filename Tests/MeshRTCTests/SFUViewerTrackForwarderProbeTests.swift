import MeshWire
import Testing

@testable import MeshRTC

/// The forwarder's side of probing (``BandwidthProbe``) and of holding retransmissions back
/// behind a full queue.
@Suite("SFU viewer track forwarder: probes and retransmission limits")
struct SFUViewerTrackForwarderProbeTests {
    static let ms: UInt64 = 1_000_000
    typealias Base = SFUViewerTrackForwarderTests

    /// A forwarder on layer 0 (three packets sent, outgoing 100...102) of two layers flowing at
    /// 200 kbit/s and 1 Mbit/s, with a REMB of 250 kbit/s that keeps it there (under the 1.4 times that moves a viewer without RTX up), and one clean
    /// report block at 0.
    static func settledLow(rtx: Bool) throws -> (ViewerTrackForwarder, UnsafeMutableRawBufferPointer) {
        let (forwarder, histories) = Base.makeForwarder(rtx: rtx)
        let out = makeOutputBuffer()
        for sequence in UInt16(10)...12 {
            Base.publish(histories, layer: 0, sequence: sequence, timestamp: 0, key: sequence == 10)
            _ = try #require(forwarder.forward(layer: 0, sequence: sequence, now: 0, into: out))
        }
        forwarder.setLayerBitrate(200_000, layer: 0, now: 0)
        forwarder.setLayerBitrate(1_000_000, layer: 1, now: 0)
        forwarder.receivedREMB(bitrate: 250_000, now: 0)
        forwarder.receivedReport(ReceptionReport(ssrc: 0xBEEF, extendedHighestSequenceNumber: 102), now: 0)
        #expect(forwarder.targetLayer == 0)
        return (forwarder, out)
    }

    @Test("settled below a flowing layer on a clean path, the viewer gets RTX copies of its last packets")
    func padsWithRTXCopies() throws {
        let (forwarder, out) = try Self.settledLow(rtx: true)
        defer { out.deallocate() }
        #expect(forwarder.padding(now: 200 * Self.ms, into: out) == nil)  // clean for 200 ms only
        #expect(forwarder.padding(now: 300 * Self.ms, into: out) == nil)  // starts; nothing owed yet
        #expect(forwarder.probeWantsSenderReport(now: 300 * Self.ms))
        // Padding goes in clusters: the first once 6 kB are owed.
        let length = try #require(forwarder.padding(now: 450 * Self.ms, into: out))
        let view = try RTPPacketView(parsing: UnsafeRawBufferPointer(rebasing: out[0..<length]))
        #expect(view.ssrc == 0xFEED)
        let osn = UInt16(view.payload[0]) << 8 | UInt16(view.payload[1])
        #expect((100...102).contains(osn))
        #expect(forwarder.paddingCount == 1)
        #expect(forwarder.retransmittedCount == 0)
    }

    @Test("a lossy report block fails the probe: the padding stops")
    func lossStopsThePadding() throws {
        let (forwarder, out) = try Self.settledLow(rtx: true)
        defer { out.deallocate() }
        _ = forwarder.padding(now: 300 * Self.ms, into: out)
        #expect(forwarder.padding(now: 450 * Self.ms, into: out) != nil)
        forwarder.receivedReport(ReceptionReport(ssrc: 0xBEEF, fractionLost: 26), now: 470 * Self.ms)
        #expect(forwarder.padding(now: 500 * Self.ms, into: out) == nil)
        #expect(!forwarder.probeWantsSenderReport(now: 2_100 * Self.ms))  // past the start-up reports too
    }

    @Test("without RTX there is nothing to pad with")
    func noRTXNoPadding() throws {
        let (forwarder, out) = try Self.settledLow(rtx: false)
        defer { out.deallocate() }
        _ = forwarder.padding(now: 300 * Self.ms, into: out)
        #expect(forwarder.padding(now: 450 * Self.ms, into: out) == nil)
        #expect(forwarder.paddingCount == 0)
    }

    @Test("retransmissions stop at a quarter of what was sent in the last second (at least 12 kB)")
    func retransmissionBudget() throws {
        let (forwarder, out) = try Self.settledLow(rtx: false)
        defer { out.deallocate() }
        let length = try #require(forwarder.retransmit(nackedSequence: 101, now: 0, into: out))
        var sent = 1
        while forwarder.retransmit(nackedSequence: 101, now: 0, into: out) != nil { sent += 1 }
        #expect(sent == (RetransmissionBudget.least + length - 1) / length)
        forwarder.recordSecond()  // a new second refills the budget
        #expect(forwarder.retransmit(nackedSequence: 101, now: 0, into: out) != nil)
    }

    @Test("after a layer switch, the old layer's packets are not resent")
    func oldLayerNotResent() throws {
        let (forwarder, histories) = Base.makeForwarder(rtx: false)
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        Base.publish(histories, layer: 0, sequence: 10, timestamp: 0, key: true)
        _ = try #require(forwarder.forward(layer: 0, sequence: 10, now: 0, into: out))  // outgoing 100
        forwarder.setLayerBitrate(200_000, layer: 0, now: 0)
        forwarder.setLayerBitrate(1_000_000, layer: 1, now: 0)
        forwarder.setBitrateCap(5_000_000, until: .max, now: 0)
        forwarder.receivedREMB(bitrate: 5_000_000, now: 0)
        Base.publish(histories, layer: 1, sequence: 50, timestamp: 3000, key: true)
        _ = try #require(forwarder.forward(layer: 1, sequence: 50, now: 10 * Self.ms, into: out))  // outgoing 101
        #expect(forwarder.currentLayer == 1)
        #expect(forwarder.retransmit(nackedSequence: 100, now: 20 * Self.ms, into: out) == nil)
        #expect(forwarder.retransmit(nackedSequence: 101, now: 20 * Self.ms, into: out) != nil)
    }
}
