import MeshRTC
import MeshWire
import Testing

/// Queueing from receiver reports (RFC 3550 §6.4.1: RTT = A - LSR - DLSR) and the delay-based
/// limit it sets (draft-ietf-rmcat-gcc-02 §5.5's overuse response: 85 % of what got through).
@Suite("SFU: viewer path monitor")
struct SFUViewerPathMonitorTests {
    static let millisecond: UInt64 = 1_000_000

    /// A block echoing the SR whose NTP middle is `lsr`, held `heldMS` at the viewer.
    private func block(lsr: UInt32, heldMS: UInt32, highest: UInt32, lost: Int32 = 0) -> ReceptionReport {
        ReceptionReport(
            ssrc: 1, fractionLost: 0, cumulativeLost: lost, extendedHighestSequenceNumber: highest, jitter: 0,
            lastSenderReport: lsr, delaySinceLastSenderReport: heldMS * 65_536 / 1000)
    }

    @Test("a queue: two blocks running over the base round trip, not shrinking; rate: sequence numbers less loss")
    func queueingAndRate() {
        var path = ViewerPathMonitor()
        let ntp: UInt64 = 0x1234_5678_9ABC_0000
        path.sentSenderReport(ntpTimestamp: ntp, at: 1_000 * Self.millisecond)
        let lsr = UInt32(truncatingIfNeeded: ntp >> 16)
        func report(heldMS: UInt32, highest: UInt32, lost: Int32 = 0, atMS: UInt64) -> UInt64? {
            path.received(
                block(lsr: lsr, heldMS: heldMS, highest: highest, lost: lost), bytesPerPacket: 1000,
                now: atMS * Self.millisecond)
        }
        // 20 ms round trip (+ 100 ms held): the base.
        #expect(report(heldMS: 100, highest: 1000, atMS: 1_120) == 0)
        // One late block is a blip, not a queue.
        #expect(report(heldMS: 300, highest: 1050, atMS: 1_520) == 0)
        #expect(report(heldMS: 490, highest: 1100, atMS: 1_530) == 0)  // back to 20 ms over the base
        // Two blocks 200 then 250 ms over the base: a queue.
        #expect(report(heldMS: 500, highest: 1100, lost: 0, atMS: 1_720) == 0)
        let queue = report(heldMS: 600, highest: 1150, lost: 10, atMS: 1_870)
        #expect(queue.map { (249 * Self.millisecond)...(251 * Self.millisecond) ~= $0 } == true)  // DLSR is 1/65536 s
        // Measured over at least 500 ms: 100 packets of 1000 B from 1 120 to 1 720 ms.
        #expect(path.receivedRate == 100 * 1000 * 8 * 1000 / 600)
        // A block echoing no SR of ours gives no round trip.
        #expect(
            path.received(block(lsr: 7, heldMS: 0, highest: 1200), bytesPerPacket: 1000, now: 2_000 * Self.millisecond)
                == nil)
    }

    @Test("a block whose highest sequence went back or leapt ahead is no rate, and never traps (a forged report)")
    func hostileSequences() {
        var path = ViewerPathMonitor()
        let second: UInt64 = 1_000 * Self.millisecond
        _ = path.received(block(lsr: 0, heldMS: 0, highest: 102), bytesPerPacket: 1200, now: 0)
        _ = path.received(block(lsr: 0, heldMS: 0, highest: 0), bytesPerPacket: 1200, now: second)
        #expect(path.receivedRate == nil)
        _ = path.received(block(lsr: 0, heldMS: 0, highest: .max), bytesPerPacket: 1200, now: 2 * second)
        #expect(path.receivedRate == nil)
        _ = path.received(
            block(lsr: 0, heldMS: 0, highest: .max, lost: .min), bytesPerPacket: .max / 2, now: 3 * second)
        _ = path.received(block(lsr: 0, heldMS: 0, highest: 50, lost: .max), bytesPerPacket: 1200, now: 4 * second)
        _ = path.received(block(lsr: 0, heldMS: 0, highest: 150), bytesPerPacket: 1200, now: 5 * second)
        #expect(path.receivedRate == 100 * 1200 * 8)
    }

    @Test("a queue cuts to 85 % of what got through, once a second; calm, the limit grows back and yields to REMB")
    func delayBasedLimit() {
        let second: UInt64 = 1_000_000_000
        var estimator = ViewerBandwidthEstimator()
        estimator.receivedREMB(bitrate: 2_000_000)
        estimator.receivedQueueing(200 * Self.millisecond, receivedRate: 600_000, now: second)
        #expect(estimator.estimate(now: second) == 510_000)
        estimator.receivedQueueing(300 * Self.millisecond, receivedRate: 300_000, now: second + 500 * Self.millisecond)
        #expect(estimator.estimate(now: second) == 510_000)  // the cut has not had time to show
        estimator.receivedQueueing(0, receivedRate: 500_000, now: 2 * second)
        estimator.receivedQueueing(0, receivedRate: 500_000, now: 4 * second)
        #expect(estimator.estimate(now: 4 * second) == 586_500)  // × 1.15 after 2 s calm
        for step in 9...40 { estimator.receivedQueueing(0, receivedRate: 500_000, now: UInt64(step) * second / 2) }
        #expect(estimator.delayBasedBitrate == nil)
        #expect(estimator.estimate(now: 20 * second) == 2_000_000)
    }
}
