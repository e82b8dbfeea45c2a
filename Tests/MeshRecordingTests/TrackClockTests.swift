import MeshRecording
import Testing

/// Audio/video sync from sender reports (RFC 3550 §6.4.1): tracks with unrelated RTP bases
/// and clock rates land on one wall clock.
@Suite struct TrackClockTests {
    /// 2026-12-05 00:00:00 UTC on the NTP timescale (seconds since 1900), as a 64-bit NTP time.
    static let epoch: UInt64 = 3_973_795_200 << 32

    /// `seconds` after ``epoch`` as an NTP timestamp (fraction = seconds × 2^32).
    static func ntp(_ seconds: Double) -> UInt64 {
        epoch + UInt64(seconds * 4_294_967_296)
    }

    @Test func audioAndVideoLandWithinOneMillisecond() {
        // Video 90 kHz from a base about to wrap, audio 48 kHz from another base: the same
        // instants in both, 100 ms apart, after one sender report each (sent 40 ms apart).
        let videoBase: UInt32 = 0xFFFF_0000
        let audioBase: UInt32 = 0x1234_5678
        var video = TrackClock(clockRate: 90_000)
        var audio = TrackClock(clockRate: 48_000)
        video.senderReport(ntp: Self.ntp(0.010), rtpTimestamp: videoBase &+ 900)
        audio.senderReport(ntp: Self.ntp(0.050), rtpTimestamp: audioBase &+ 2400)
        var worst: Int64 = 0
        for step in 0..<600 {  // one minute; the video timestamps wrap after 0.73 s
            let videoTime = video.wallTime(rtpTimestamp: videoBase &+ UInt32(step * 9000), arrival: 0)
            let audioTime = audio.wallTime(rtpTimestamp: audioBase &+ UInt32(step * 4800), arrival: 0)
            worst = max(worst, abs(videoTime - audioTime))
            // The instant itself, to the NTP fraction's rounding (2^-32 s).
            #expect(abs(videoTime - TrackClock.nanoseconds(ntp: Self.epoch) - Int64(step) * 100_000_000) < 1000)
        }
        #expect(worst < 1_000_000, "worst offset \(worst) ns")
    }

    @Test func arrivalTimeUntilTheFirstReportThenTheReport() {
        var clock = TrackClock(clockRate: 90_000)
        let arrival = TrackClock.nanoseconds(ntp: Self.ntp(5))
        #expect(clock.wallTime(rtpTimestamp: 1000, arrival: arrival) == arrival)
        // 1 s later by the RTP clock, whatever the arrival says.
        #expect(clock.wallTime(rtpTimestamp: 91_000, arrival: arrival + 7) == arrival + 1_000_000_000)
        #expect(!clock.isSynchronized)
        clock.senderReport(ntp: Self.ntp(4.9), rtpTimestamp: 1000)
        #expect(clock.isSynchronized)
        #expect(clock.wallTime(rtpTimestamp: 1000, arrival: 0) == TrackClock.nanoseconds(ntp: Self.ntp(4.9)))
    }

    @Test func aClockThatHoldsItsFirstReportKeepsTheArrivalLineUntilAdopted() {
        var clock = TrackClock(clockRate: 90_000, holdsFirstReport: true)
        let arrival = TrackClock.nanoseconds(ntp: Self.ntp(5))
        #expect(clock.wallTime(rtpTimestamp: 1000, arrival: arrival) == arrival)
        // Captured 40 ms before it arrived: held, so the frames after it do not step back.
        clock.senderReport(ntp: Self.ntp(4.96), rtpTimestamp: 1000)
        #expect(clock.isSynchronized)
        #expect(clock.hasPendingReport)
        #expect(clock.reanchors == 0)
        let times = clock.times(rtpTimestamp: 10_000, arrival: 0)
        #expect(times.anchored == arrival + 100_000_000)
        #expect(times.latest == TrackClock.nanoseconds(ntp: Self.ntp(5.06)))
        clock.adoptLatest()
        #expect(clock.reanchors == 1)
        #expect(clock.wallTime(rtpTimestamp: 10_000, arrival: 0) == times.latest)
        // Before any frame there is nothing to step: the report anchors at once.
        var fresh = TrackClock(clockRate: 90_000, holdsFirstReport: true)
        fresh.senderReport(ntp: Self.ntp(4.96), rtpTimestamp: 1000)
        #expect(!fresh.hasPendingReport)
        #expect(fresh.wallTime(rtpTimestamp: 1000, arrival: arrival) == TrackClock.nanoseconds(ntp: Self.ntp(4.96)))
    }

    @Test func aReportThatDriftsWaitsUntilAdopted() {
        var clock = TrackClock(clockRate: 48_000)
        clock.senderReport(ntp: Self.ntp(0), rtpTimestamp: 0)
        // 2 ms of report jitter: kept on the old anchor, nothing pending.
        clock.senderReport(ntp: Self.ntp(10.002), rtpTimestamp: 480_000)
        #expect(clock.reanchors == 1)
        #expect(!clock.hasPendingReport)
        #expect(clock.wallTime(rtpTimestamp: 480_000, arrival: 0) == TrackClock.nanoseconds(ntp: Self.ntp(10)))
        // The sender's clock ran 30 ms ahead of its RTP clock: frames stay on the anchor (a step
        // inside a file would move their phase on a player's frame grid) until the caller adopts
        // the report at a cut; the latest time is there to write the cut's frame at.
        clock.senderReport(ntp: Self.ntp(20.030), rtpTimestamp: 960_000)
        #expect(clock.hasPendingReport)
        let reported = TrackClock.nanoseconds(ntp: Self.ntp(20.030))
        let times = clock.times(rtpTimestamp: 960_000, arrival: 0)
        #expect(times.anchored == TrackClock.nanoseconds(ntp: Self.ntp(20)))
        #expect(abs(times.latest - reported) < 1000)
        clock.adoptLatest()
        #expect(clock.reanchors == 2)
        #expect(!clock.hasPendingReport)
        #expect(abs(clock.wallTime(rtpTimestamp: 960_000, arrival: 0) - reported) < 1000)
    }

    @Test func aReportBackOnTheAnchorDropsThePendingOne() {
        var clock = TrackClock(clockRate: 90_000)
        clock.senderReport(ntp: Self.ntp(0), rtpTimestamp: 0)
        clock.senderReport(ntp: Self.ntp(1.007), rtpTimestamp: 90_000)
        #expect(clock.hasPendingReport)
        clock.senderReport(ntp: Self.ntp(2.001), rtpTimestamp: 180_000)
        #expect(!clock.hasPendingReport)
        clock.adoptLatest()
        #expect(clock.reanchors == 1)
        #expect(clock.wallTime(rtpTimestamp: 270_000, arrival: 0) == TrackClock.nanoseconds(ntp: Self.ntp(3)))
    }
}
