import MeshWire
import Testing

@testable import MeshRTC

@Suite("SFU simulcast layer selector")
struct SFUSimulcastLayerSelectorTests {
    static let second: UInt64 = 1_000_000_000

    static func threeLayers() -> SimulcastLayerSelector {
        var selector = SimulcastLayerSelector(layerCount: 3)
        selector.setBitrate(150_000, layer: 0)
        selector.setBitrate(500_000, layer: 1)
        selector.setBitrate(2_000_000, layer: 2)
        return selector
    }

    @Test("no estimate yet: the lowest flowing layer")
    func startsLow() {
        var selector = Self.threeLayers()
        #expect(selector.select(estimate: nil, now: 0) == 0)
        var idle = SimulcastLayerSelector(layerCount: 2)
        #expect(idle.select(estimate: 5_000_000, now: 0) == nil)
    }

    @Test("the highest layer that fits with 15 % headroom")
    func fits() {
        var selector = Self.threeLayers()
        #expect(selector.select(estimate: 3_000_000, now: 0) == 2)
        var tight = Self.threeLayers()
        #expect(tight.select(estimate: 2_100_000, now: 0) == 1)  // 2.0 M × 1.15 = 2.3 M needed
    }

    @Test("hysteresis: stay within the tolerance, drop at once below it, wait before going up again")
    func hysteresis() {
        var selector = Self.threeLayers()
        #expect(selector.select(estimate: 3_000_000, now: 0) == 2)
        #expect(selector.select(estimate: 2_050_000, now: 1 * Self.second) == 2)  // under headroom, still fits
        #expect(selector.select(estimate: 1_700_000, now: 1 * Self.second) == 2)  // within 0.8 × 2.0 M
        #expect(selector.select(estimate: 1_500_000, now: 2 * Self.second) == 1)
        #expect(selector.select(estimate: 3_000_000, now: 3 * Self.second) == 1)  // held 4 s after a drop
        #expect(selector.select(estimate: 3_000_000, now: 6 * Self.second) == 2)
    }

    @Test("a layer that stopped flowing is skipped")
    func skipsIdle() {
        var selector = Self.threeLayers()
        selector.setBitrate(0, layer: 1)
        #expect(selector.select(estimate: 1_000_000, now: 0) == 0)
        selector.setBitrate(0, layer: 0)
        #expect(selector.select(estimate: 1_000_000, now: 0) == 2)  // the only one left
    }
}

@Suite("SFU viewer bandwidth estimator (draft-alvestrand-rmcat-remb, RFC 3550 §6.4.1)")
struct SFUViewerBandwidthEstimatorTests {
    static let second: UInt64 = 1_000_000_000

    @Test("REMB sets the estimate; none before it")
    func remb() {
        var estimator = ViewerBandwidthEstimator()
        #expect(estimator.estimate(now: 0) == nil)
        estimator.receivedREMB(bitrate: 2_000_000)
        #expect(estimator.estimate(now: 0) == 2_000_000)
    }

    @Test("loss over 10 % cuts by half the loss fraction; under 2 % grows 5 % per interval; between holds")
    func loss() {
        var estimator = ViewerBandwidthEstimator()
        estimator.receivedREMB(bitrate: 2_000_000)
        estimator.receivedLossReport(fractionLost: 64, now: 0)  // 25 %: × (1 - 0.125)
        #expect(estimator.estimate(now: 0) == 1_750_000)
        estimator.receivedLossReport(fractionLost: 13, now: 1 * Self.second)  // 5 %: hold
        #expect(estimator.estimate(now: 0) == 1_750_000)
        estimator.receivedLossReport(fractionLost: 0, now: 2 * Self.second)
        #expect(estimator.estimate(now: 0) == 1_837_500)
        estimator.receivedLossReport(fractionLost: 0, now: 2 * Self.second + 100_000_000)  // too soon to grow again
        #expect(estimator.estimate(now: 0) == 1_837_500)
        for step in 3...20 { estimator.receivedLossReport(fractionLost: 0, now: UInt64(step) * Self.second) }
        #expect(estimator.estimate(now: 0) == 2_000_000)  // REMB stays the ceiling
    }

    @Test("growth from the start estimate gives way to a REMB at once; a loss cut holds it back for a while")
    func firstREMBAfterGrowth() {
        var estimator = ViewerBandwidthEstimator(configuration: .init(initialBitrate: 600_000))
        estimator.receivedLossReport(fractionLost: 0, now: 0)  // before any REMB: 600 k + 5 %
        #expect(estimator.estimate(now: 0) == 630_000)
        // Chromium's first REMB reads a probe cluster: the path carries 2.4 Mbit/s.
        estimator.receivedREMB(bitrate: 2_400_000)
        #expect(estimator.estimate(now: 0) == 2_400_000)
        estimator.receivedLossReport(fractionLost: 0, now: Self.second / 4)
        #expect(estimator.estimate(now: 0) == 2_400_000)
        // After a loss cut, a REMB above it waits for two clean seconds.
        estimator.recordSendRate(2_000_000)
        estimator.receivedLossReport(fractionLost: 64, now: Self.second)  // 25 %: 2 M × 0.875
        estimator.receivedREMB(bitrate: 2_500_000)
        #expect(estimator.estimate(now: 0) == 1_750_000)
    }

    @Test("a cap holds until its expiry, and can be lifted")
    func cap() {
        var estimator = ViewerBandwidthEstimator()
        estimator.receivedREMB(bitrate: 2_000_000)
        estimator.setCap(bitrate: 300_000, until: 10 * Self.second)
        #expect(estimator.estimate(now: 9 * Self.second) == 300_000)
        #expect(estimator.estimate(now: 10 * Self.second) == 2_000_000)
        estimator.setCap(bitrate: 300_000, until: 100 * Self.second)
        estimator.liftCap()
        #expect(estimator.estimate(now: 11 * Self.second) == 2_000_000)
    }
}

@Suite("SFU sender report clock (RFC 3550 §6.4.1)")
struct SFUSenderReportClockTests {
    static let ntpSecond: UInt64 = 1 << 32

    @Test("the viewer's SR maps the same NTP instant to the shifted RTP time")
    func translates() throws {
        var clock = SenderReportClock(clockRate: 90_000)
        #expect(clock.senderReport(ssrc: 1, ntpNow: 0, timestampOffset: 0, packetCount: 0, octetCount: 0) == nil)
        let publisherNTP: UInt64 = 3_900_000_000 << 32
        clock.receivedSenderReport(ntpTimestamp: publisherNTP, rtpTimestamp: 1_000_000)
        #expect(clock.sourceTimestamp(atNTP: publisherNTP + Self.ntpSecond / 2) == 1_045_000)
        #expect(clock.sourceTimestamp(atNTP: publisherNTP - Self.ntpSecond) == 910_000)
        let report = try #require(
            clock.senderReport(
                ssrc: 0xBEEF, ntpNow: publisherNTP + Self.ntpSecond, timestampOffset: 0xFFFF_0000, packetCount: 10,
                octetCount: 12_000))
        #expect(report.ssrc == 0xBEEF)
        #expect(report.ntpTimestamp == publisherNTP + Self.ntpSecond)
        #expect(report.rtpTimestamp == 1_090_000 &+ 0xFFFF_0000)
        #expect(report.packetCount == 10)
        #expect(report.octetCount == 12_000)
    }
}

@Suite("SFU transport-wide CC feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1)")
struct SFUTransportCCFeedbackBuilderTests {
    static let ms: UInt64 = 1_000_000

    @Test("feedback every 50 ms lists each sequence number, missing ones as not received")
    func builds() throws {
        var builder = TransportCCFeedbackBuilder()
        let start: UInt64 = 777_000 * Self.ms
        for (index, sequence) in [UInt16(65533), 65534, 0, 1].enumerated() {
            builder.record(transportSequence: sequence, arrival: start + UInt64(index) * Self.ms)
        }
        let messages = builder.feedback(now: start + 5 * Self.ms, senderSSRC: 1, mediaSSRC: 2)
        let message = try #require(messages.first)
        #expect(messages.count == 1)
        #expect(message.baseSequenceNumber == 65533)
        #expect(message.packetStatusCount == 5)
        let statuses = Array(message.packetStatuses)
        #expect(statuses.map(\.sequenceNumber) == [65533, 65534, 65535, 0, 1])
        #expect(statuses.map(\.isReceived) == [true, true, false, true, true])
        // Arrivals 1 ms apart (4 ticks of 250 µs each); the missing 65535 has no delta.
        #expect(statuses.compactMap(\.receiveDeltaMicroseconds).dropFirst() == [1000, 1000, 1000])
        builder.record(transportSequence: 2, arrival: start + 10 * Self.ms)
        #expect(builder.feedback(now: start + 30 * Self.ms, senderSSRC: 1, mediaSSRC: 2).isEmpty)
        let next = builder.feedback(now: start + 55 * Self.ms, senderSSRC: 1, mediaSSRC: 2)
        #expect(next.first?.feedbackPacketCount == 1)
        #expect(next.first?.baseSequenceNumber == 2)
    }

    @Test("a large batch is split, each message counting up")
    func splits() {
        var builder = TransportCCFeedbackBuilder(maxPacketsPerFeedback: 4)
        for sequence in UInt16(0)..<10 {
            builder.record(transportSequence: sequence, arrival: UInt64(sequence) * Self.ms)
        }
        let messages = builder.feedback(now: 100 * Self.ms, senderSSRC: 1, mediaSSRC: 2)
        #expect(messages.map(\.baseSequenceNumber) == [0, 4, 8])
        #expect(messages.map(\.packetStatusCount) == [4, 4, 2])
        #expect(messages.map(\.feedbackPacketCount) == [0, 1, 2])
    }
}
