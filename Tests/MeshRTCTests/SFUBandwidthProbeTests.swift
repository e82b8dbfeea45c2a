import MeshWire
import Testing

@testable import MeshRTC

/// The probe's rules, as `BandwidthProbe` documents them (after libwebrtc's and mediasoup's
/// probers: pad up to the next layer's rate, and read the report blocks that come back).
@Suite("SFU bandwidth probe")
struct SFUBandwidthProbeTests {
    static let ms: UInt64 = 1_000_000

    /// A probe that has seen a clean path since `0` and started at `start` toward `rate`.
    static func started(rate: UInt64 = 1_000_000, at start: UInt64 = 1_600 * ms) -> BandwidthProbe {
        var probe = BandwidthProbe()
        _ = probe.cleanReport(queueing: 0, measuredAt: 0, now: 0)
        let result1 = probe.startIfDue(rate: rate, now: start)
        #expect(result1)
        return probe
    }

    @Test("no probe before the path has been clean for the wait: short for a new viewer and after a success")
    func waitsForACleanPath() {
        var probe = BandwidthProbe()
        let result2 = probe.startIfDue(rate: 1_000_000, now: 10_000 * Self.ms)  // nothing seen yet
        #expect(!result2)
        _ = probe.cleanReport(queueing: 0, measuredAt: 0, now: 10_000 * Self.ms)
        let result3 = probe.startIfDue(rate: 1_000_000, now: 10_200 * Self.ms)
        #expect(!result3)
        let result4 = probe.startIfDue(rate: 1_000_000, now: 10_300 * Self.ms)
        #expect(result4)
        let proven = probe.cleanReport(queueing: 0, measuredAt: 10_800 * Self.ms, now: 11_100 * Self.ms)
        #expect(proven == nil)  // one clean block
        let proven2 = probe.cleanReport(queueing: 0, measuredAt: 10_900 * Self.ms, now: 11_200 * Self.ms)
        #expect(proven2 == 1_000_000)
        let result5 = probe.startIfDue(rate: 2_000_000, now: 11_400 * Self.ms)
        #expect(!result5)
        let result6 = probe.startIfDue(rate: 2_000_000, now: 11_500 * Self.ms)
        #expect(result6)
    }

    @Test("padding ramps up to the difference between the probe's rate and the media's")
    func rampsPadding() {
        var probe = Self.started()
        let start = 1_600 * Self.ms
        // 100 ms into the 400 ms ramp: a quarter of 600 kbit/s for 100 ms = 1875 bytes, less
        // than a cluster: nothing goes yet.
        #expect(probe.owed(mediaRate: 400_000, now: start + 100 * Self.ms) == 0)
        // The next 100 ms at half the rate: 3750 more, still short of a cluster.
        #expect(probe.owed(mediaRate: 400_000, now: start + 200 * Self.ms) == 0)
        // 50 ms more at five eighths of the rate (2343 bytes): a cluster is owed.
        #expect(probe.owed(mediaRate: 400_000, now: start + 250 * Self.ms) == 1_875 + 3_750 + 2_343)
        // After the probe's duration nothing is owed, whatever was left.
        let result7 = probe.owed(mediaRate: 400_000, now: start + BandwidthProbe.duration)
        #expect(result7 == 0)
        // Media already at the probe's rate: no padding.
        var rich = Self.started(rate: 300_000)
        let result8 = rich.owed(mediaRate: 400_000, now: start + 300 * Self.ms)
        #expect(result8 == 0)
    }

    @Test("padding leaves in clusters of evenly spaced packets, at the probe's rate on average")
    func sendsClusters() {
        var probe = Self.started()
        let start = 1_600 * Self.ms
        var sent: [UInt64] = []
        // A pacer every millisecond sends a 1200-byte packet whenever one is owed.
        for step in 1...Int(BandwidthProbe.duration / Self.ms) {
            let now = start + UInt64(step) * Self.ms
            if probe.owed(mediaRate: 400_000, now: now) > 0 {
                probe.paid(1_200, now: now)
                sent.append(now - start)
            }
        }
        // 600 kbit/s ramped over the first 400 ms of 800: 600 kbit/s × 0.6 s / 8 = 45000 bytes,
        // give or take the cluster that was not yet owed when the time ran out.
        let bytes = sent.count * 1_200
        #expect(bytes <= 45_000 + 1_200 && bytes >= 45_000 - BandwidthProbe.clusterBytes - 1_200)
        // Clusters: runs of packets exactly `clusterSpacing` apart, none longer than
        // `clusterPackets`, separated by longer gaps.
        var runs: [Int] = [1]
        for (previous, next) in zip(sent, sent.dropFirst()) {
            if next - previous == BandwidthProbe.clusterSpacing { runs[runs.count - 1] += 1 } else { runs.append(1) }
            #expect(next - previous >= BandwidthProbe.clusterSpacing)
        }
        #expect(runs.allSatisfy { $0 <= BandwidthProbe.clusterPackets })
        #expect(runs.dropLast().allSatisfy { $0 >= 5 })
    }

    @Test("once the receiver has its own estimate (a REMB came), padding goes whenever owed, not in clusters")
    func sendsEvenlyAfterTheFirstREMB() {
        var probe = Self.started()
        let start = 1_600 * Self.ms
        var sent: [UInt64] = []
        for step in 1...Int(BandwidthProbe.duration / Self.ms) {
            let now = start + UInt64(step) * Self.ms
            if probe.owed(mediaRate: 400_000, now: now, clustered: false) > 0 {
                probe.paid(1_200, now: now)
                sent.append(now - start)
            }
        }
        // The same 45000 bytes, but at full rate (600 kbit/s) one 1200-byte packet every 16 ms.
        #expect(abs(sent.count * 1_200 - 45_000) <= 1_200)
        let gaps = zip(sent.dropFirst(), sent).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 > BandwidthProbe.clusterSpacing })
    }

    @Test(
        "sender reports go every 100 ms during a probe and for a while after it failed, so the queue is seen to drain")
    func reportsWhileTheQueueDrains() {
        var probe = Self.started()
        let start = 1_600 * Self.ms
        #expect(probe.wantsSenderReport(firstForward: 0, lastReport: start, now: start + 100 * Self.ms))
        probe.congestion(now: start + 300 * Self.ms)
        #expect(probe.wantsSenderReport(firstForward: 0, lastReport: start + 300 * Self.ms, now: start + 400 * Self.ms))
        let later = start + 300 * Self.ms + BandwidthProbe.drainTime
        #expect(!probe.wantsSenderReport(firstForward: 0, lastReport: later - 100 * Self.ms, now: later))
    }

    @Test("a stalled loop owes at most a bounded burst")
    func boundsTheBurst() {
        var probe = Self.started(rate: 50_000_000)
        let owed = probe.owed(mediaRate: 0, now: 1_600 * Self.ms + 700 * Self.ms)
        #expect(owed == BandwidthProbe.maximumOwed)
    }

    @Test("clean blocks measured late enough in the probe prove its rate, and the next aims for the top again")
    func succeeds() {
        var probe = Self.started()
        let start = 1_600 * Self.ms
        #expect(probe.aimsForTop)  // a new viewer's first probe
        // Blocks whose report went before the padding settled do not count.
        let result9 = probe.cleanReport(queueing: 0, measuredAt: start + 100 * Self.ms, now: start + 300 * Self.ms)
        #expect(result9 == nil)
        #expect(
            probe.cleanReport(queueing: 5 * Self.ms, measuredAt: start + 500 * Self.ms, now: start + 600 * Self.ms)
                == nil)
        // A block with no round trip (it echoed no report of ours) does not count either.
        let result10 = probe.cleanReport(queueing: nil, measuredAt: start + 600 * Self.ms, now: start + 850 * Self.ms)
        #expect(result10 == nil)
        #expect(
            probe.cleanReport(queueing: 0, measuredAt: start + 700 * Self.ms, now: start + 900 * Self.ms) == 1_000_000)
        #expect(probe.attempt == nil)
        #expect(probe.succeeded == 1)
        #expect(probe.aimsForTop)
        #expect(probe.wait == BandwidthProbe.firstWait)
    }

    @Test("a queue over the limit fails the probe at once; the next waits longer, up to the cap")
    func failsOnAQueue() {
        var probe = Self.started()
        let start = 1_600 * Self.ms
        #expect(
            probe.cleanReport(queueing: 45 * Self.ms, measuredAt: start + 200 * Self.ms, now: start + 300 * Self.ms)
                == nil)
        #expect(probe.attempt == nil)
        #expect(probe.failed == 1)
        #expect(!probe.aimsForTop)
        #expect(probe.wait == min(2 * BandwidthProbe.initialWait, BandwidthProbe.maximumWait))
        let result11 = probe.owed(mediaRate: 0, now: start + 400 * Self.ms)
        #expect(result11 == 0)
        #expect(probe.paddedRecently(now: start + 400 * Self.ms))
        #expect(!probe.paddedRecently(now: start + 300 * Self.ms + BandwidthProbe.drainTime + 1))
        // The clean time starts again at the next clean block.
        _ = probe.cleanReport(queueing: 0, measuredAt: 0, now: 3_000 * Self.ms)
        let result12 = probe.startIfDue(rate: 1_000_000, now: 3_000 * Self.ms + probe.wait - 1)
        #expect(!result12)
        let result13 = probe.startIfDue(rate: 1_000_000, now: 3_000 * Self.ms + probe.wait)
        #expect(result13)
        probe.congestion(now: 6_100 * Self.ms)
        #expect(probe.wait == BandwidthProbe.maximumWait)
    }

    @Test("loss or an overuse REMB (congestion) fails a probe; cancelling gives no verdict")
    func congestionAndCancel() {
        var probe = Self.started()
        probe.congestion(now: 1_700 * Self.ms)
        #expect(probe.failed == 1 && probe.attempt == nil)
        var cancelled = Self.started()
        cancelled.cancel()
        #expect(cancelled.failed == 0 && cancelled.succeeded == 0 && cancelled.attempt == nil)
    }
}

@Suite("SFU viewer bandwidth estimator with probes")
struct SFUViewerBandwidthEstimatorProbeTests {
    static let second: UInt64 = 1_000_000_000

    /// Within a bit per second: the estimator works in doubles.
    static func near(_ value: UInt64?, _ expected: UInt64) -> Bool {
        guard let value else { return false }
        return max(value, expected) - min(value, expected) <= 1
    }

    @Test("a proven rate stands above REMB until an overuse REMB (a fall of a tenth or more, below what was sent)")
    func provenRateOverREMB() {
        var estimator = ViewerBandwidthEstimator()
        estimator.recordSendRate(400_000)
        let result14 = estimator.receivedREMB(bitrate: 500_000)
        #expect(!result14)
        estimator.proved(bitrate: 1_000_000)
        #expect(estimator.estimate(now: 0) == 1_000_000)
        let result15 = estimator.receivedREMB(bitrate: 520_000)  // REMB creeping up: still the proven rate
        #expect(!result15)
        #expect(estimator.estimate(now: 0) == 1_000_000)
        estimator.recordSendRate(900_000)
        let wobble = estimator.receivedREMB(bitrate: 500_000)  // a few per cent down: no verdict
        #expect(!wobble)
        #expect(estimator.estimate(now: 0) == 1_000_000)
        let result16 = estimator.receivedREMB(bitrate: 440_000)  // 85 % of what arrived, under what was sent
        #expect(result16)
        #expect(estimator.probedBitrate == nil)
        #expect(estimator.estimate(now: 0) == 440_000)
    }

    @Test("loss cuts start from what was sent, never below 85 % of what got through, and do not compound")
    func lossCutsDoNotSpiral() {
        var estimator = ViewerBandwidthEstimator()
        estimator.recordSendRate(1_000_000)
        estimator.proved(bitrate: 1_200_000)
        // 50 % loss: 1 M × (1 − 0.25) = 750 k; four blocks in one second cut once.
        for step in 0..<4 {
            estimator.receivedLossReport(fractionLost: 128, receivedRate: 500_000, now: UInt64(step) * 250_000_000)
        }
        #expect(estimator.lossBasedBitrate == 750_000)
        #expect(estimator.probedBitrate == nil)
        // 90 % loss would cut to 550 k, but 700 k got through: 595 k.
        estimator.receivedLossReport(fractionLost: 230, receivedRate: 700_000, now: Self.second)
        #expect(Self.near(estimator.lossBasedBitrate, 595_000))
    }

    @Test("after a delay-based cut, a queue no larger than the one that caused it is left to drain")
    func holdsWhileTheQueueDrains() {
        var estimator = ViewerBandwidthEstimator()
        estimator.recordSendRate(1_000_000)
        let queue: UInt64 = 500_000_000
        estimator.receivedQueueing(queue, receivedRate: 600_000, now: 0)
        #expect(Self.near(estimator.delayBasedBitrate, 510_000))
        // Still 500 ms of queue a second and two seconds later, received rate lower: no cut.
        estimator.receivedQueueing(queue, receivedRate: 300_000, now: 1 * Self.second + 100_000_000)
        estimator.receivedQueueing(queue - 50_000_000, receivedRate: 300_000, now: 2 * Self.second)
        #expect(Self.near(estimator.delayBasedBitrate, 510_000))
        // A queue that grew by more than the threshold: cut again.
        estimator.receivedQueueing(queue + 100_000_000, receivedRate: 400_000, now: 2 * Self.second + 500_000_000)
        #expect(Self.near(estimator.delayBasedBitrate, 340_000))
    }

    @Test("an overuse REMB bounds a delay-based cut from below: the receiver measured what arrived")
    func delayCutKeepsTheReceiversMeasure() {
        var estimator = ViewerBandwidthEstimator()
        estimator.recordSendRate(1_000_000)
        estimator.receivedREMB(bitrate: 460_000)
        estimator.receivedQueueing(300_000_000, receivedRate: 200_000, now: 0)
        #expect(estimator.delayBasedBitrate == 460_000)
    }
}
