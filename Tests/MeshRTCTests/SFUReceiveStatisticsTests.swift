import MeshWire
import Testing

@testable import MeshRTC

@Suite("SFU sequence unwrapping and receive statistics")
struct SFUReceiveStatisticsTests {
    @Test("RFC 3550 §A.1: extended sequence numbers count wraps; late packets map behind")
    func unwrapper() {
        var unwrapper = SequenceUnwrapper()
        #expect(unwrapper.unwrap(65534) == 65534)
        #expect(unwrapper.unwrap(1) == 65537)
        #expect(unwrapper.unwrap(65535) == 65535)  // reordered from before the wrap
        #expect(unwrapper.highest == 65537)
        #expect(unwrapper.unwrap(0x8000) == 65537 + 0x7FFF)  // 32767 ahead: forward, not behind
    }

    /// 20 ms apart, 1800 ticks apart at 90 kHz: no transit change, so D = 0.
    static func arrival(_ index: Int) -> UInt64 { 1_000_000_000 + UInt64(index) * 20_000_000 }

    @Test("RFC 3550 §A.3: expected, lost and fraction lost over the interval")
    func loss() {
        var stats = ReceiveStatistics(ssrc: 0xAB, clockRate: 90_000)
        for sequence in 1...10 where sequence != 3 && sequence != 7 {
            stats.record(
                sequence: UInt16(sequence), rtpTimestamp: UInt32(sequence * 1800), arrival: Self.arrival(sequence),
                size: 100)
        }
        #expect(stats.packetsExpected == 10)
        #expect(stats.cumulativeLost == 2)
        let first = stats.reportBlock(now: Self.arrival(11))
        #expect(first.ssrc == 0xAB)
        #expect(first.fractionLost == UInt8(2 * 256 / 10))  // (lost << 8) / expected
        #expect(first.cumulativeLost == 2)
        #expect(first.extendedHighestSequenceNumber == 10)
        // Next interval: 11...20 all arrive; the late 3 arrives too (a retransmission).
        stats.record(sequence: 3, rtpTimestamp: 3 * 1800, arrival: Self.arrival(12), size: 100)
        for sequence in 11...20 {
            stats.record(
                sequence: UInt16(sequence), rtpTimestamp: UInt32(sequence * 1800), arrival: Self.arrival(sequence + 1),
                size: 100)
        }
        let second = stats.reportBlock(now: Self.arrival(22))
        #expect(second.fractionLost == 0)  // more received than expected in the interval: 0 (§A.3)
        #expect(second.cumulativeLost == 1)
    }

    @Test("RFC 3550 §A.8: jitter J += (|D| - J) / 16, in timestamp units")
    func jitter() {
        var stats = ReceiveStatistics(ssrc: 1, clockRate: 90_000)
        stats.record(sequence: 1, rtpTimestamp: 1800, arrival: Self.arrival(1), size: 10)
        stats.record(sequence: 2, rtpTimestamp: 3600, arrival: Self.arrival(2), size: 10)
        #expect(stats.jitter == 0)
        // One packet 1 ms (90 ticks) late: D = 90, J = 90/16 = 5.6.
        stats.record(sequence: 3, rtpTimestamp: 5400, arrival: Self.arrival(3) + 1_000_000, size: 10)
        #expect(stats.jitter == 5)
        // The next on time: D = -90, J = 5.625 + (90 - 5.625)/16 = 10.9.
        stats.record(sequence: 4, rtpTimestamp: 7200, arrival: Self.arrival(4), size: 10)
        #expect(stats.jitter == 10)
    }

    @Test("RFC 3550 §6.4.1: LSR is the middle 32 bits of the SR's NTP time, DLSR counts 1/65536 s")
    func lastSenderReport() {
        var stats = ReceiveStatistics(ssrc: 1, clockRate: 90_000)
        stats.record(sequence: 1, rtpTimestamp: 0, arrival: 5_000_000_000, size: 10)
        stats.receivedSenderReport(ntpTimestamp: 0x1122_3344_5566_7788, arrival: 5_000_000_000)
        let block = stats.reportBlock(now: 5_500_000_000)
        #expect(block.lastSenderReport == 0x3344_5566)
        #expect(block.delaySinceLastSenderReport == 32768)  // 0.5 s
    }

    @Test("bitrate counts the last second only")
    func bitrate() {
        var stats = ReceiveStatistics(ssrc: 1, clockRate: 90_000)
        for index in 0..<10 {
            stats.record(
                sequence: UInt16(index), rtpTimestamp: 0, arrival: 10_000_000_000 + UInt64(index) * 100_000_000,
                size: 1000)
        }
        #expect(stats.bitrate(now: 10_950_000_000) == 10 * 1000 * 8)
        #expect(stats.bitrate(now: 11_550_000_000) == 4 * 1000 * 8)  // bins of 10.6 s ... 10.9 s remain
        #expect(stats.bitrate(now: 13_000_000_000) == 0)
    }
}
