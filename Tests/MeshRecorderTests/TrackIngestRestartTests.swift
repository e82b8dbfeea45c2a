import MeshTestSupport
import Testing

@testable import MeshRTC
@testable import MeshRecorder

/// A publisher that reconnects keeps its tracks and their sequence numbers at the recorder (the
/// origin numbers on) but starts a new RTP timeline: `TrackIngest` restarts the track's clock
/// there instead of timing the new sender's frames with the old one's sender reports (RFC 3550
/// §6.4.1: a report maps one sender's RTP clock, not another's), and does not let a new report
/// that rides on the old sender's last packets throw them off.
@Suite struct TrackIngestRestartTests {
    static let track = TappedTrack(kind: .audio, codec: .opus, clockRate: 48_000, channels: 2, ssrc: 7)
    /// RFC 6716 §3.1 TOC byte, code 0 (one frame), and some bytes.
    static let opus: [UInt8] = [0xFC] + Array(repeating: 0x55, count: 40)

    /// NTP 32.32 of `nanoseconds`.
    static func ntp(_ nanoseconds: Int64) -> UInt64 {
        let value = UInt64(nanoseconds)
        return (value / 1_000_000_000) << 32 | ((value % 1_000_000_000) << 32) / 1_000_000_000
    }

    /// Pushes one 20 ms Opus packet and returns the wall time of the frame it completes.
    static func push(
        _ ingest: inout TrackIngest, sequence: UInt16, timestamp: UInt32, arrival: Int64,
        report: (ntp: Int64, rtp: UInt32)?
    ) -> Int64? {
        let bytes = TestPacket.rtp(sequence: sequence, timestamp: timestamp, ssrc: 7, payloadType: 111, payload: opus)
        var wall: Int64?
        bytes.withUnsafeBytes { raw in
            let packet = TappedPacket(
                track: 0, layer: 0, bytes: raw, arrival: arrival, senderReportNTP: report.map { ntp($0.ntp) } ?? 0,
                senderReportRTP: report?.rtp ?? 0, breakReason: .none)
            ingest.push(packet, frame: { wall = $0.wallTime }, gap: { _ in })
        }
        return wall
    }

    /// An ingest that took the first sender's first ten packets (RTP from 1000, one every 20 ms
    /// from `start`) with that sender's report (RTP 1000 at `start`).
    static func afterTheFirstSender(start: Int64) -> TrackIngest {
        var ingest = TrackIngest(track: track)
        for index in 0..<10 {
            _ = push(
                &ingest, sequence: UInt16(index), timestamp: 1000 + UInt32(index) * 960,
                arrival: start + Int64(index) * 20_000_000, report: (ntp: start, rtp: 1000))
        }
        return ingest
    }

    @Test func aNewTimelineRestartsTheClockAndTheOldReportsAreForgotten() throws {
        var ingest = TrackIngest(track: Self.track)
        let start: Int64 = 3_900_000_000 * 1_000_000_000
        // The first sender: RTP 1000 at `start`, a report on that line.
        let first = (ntp: start, rtp: UInt32(1000))
        var last: Int64 = 0
        for index in 0..<50 {
            let wall = try #require(
                Self.push(
                    &ingest, sequence: UInt16(index), timestamp: 1000 + UInt32(index) * 960,
                    arrival: start + Int64(index) * 20_000_000 + 30_000_000, report: first))
            #expect(wall == start + Int64(index) * 20_000_000)
            last = wall
        }
        #expect(ingest.restarts == 0)
        // 0.5 s later the second sender, numbered on, its timestamps 3 hours of 48 kHz away; its
        // first packets still carry the first sender's report, then one of its own.
        let back = start + 1_500_000_000
        let wall = try #require(
            Self.push(&ingest, sequence: 50, timestamp: 500_000_000, arrival: back, report: first))
        #expect(ingest.restarts == 1)
        #expect(wall == back, "timed by arrival until the new sender reports")
        #expect(wall > last)
        let second = (ntp: back + 1_000_000_000, rtp: UInt32(500_000_000 + 48_000))
        let reported = try #require(
            Self.push(&ingest, sequence: 51, timestamp: 500_000_960, arrival: back + 20_000_000, report: second))
        #expect(reported == back + 20_000_000, "on the new sender's report")
        #expect(ingest.restarts == 1)
    }

    @Test func theNewSendersFirstReportWaitsForTheNextCut() throws {
        // ci28's recorder failure: the new timeline's frames, timed by arrival inside an open
        // file, stepped back 30 ms at the new sender's first report, and ffmpeg found two 20 fps
        // frames in one slot ("non monotonically increasing dts").
        let start: Int64 = 3_900_000_000 * 1_000_000_000
        var ingest = Self.afterTheFirstSender(start: start)
        let first = (ntp: start, rtp: UInt32(1000))
        let back = start + 1_000_000_000
        let arrived = try #require(Self.push(&ingest, sequence: 10, timestamp: 700_000, arrival: back, report: first))
        #expect(ingest.restarts == 1)
        #expect(arrived == back)
        // Its first report: the packet at `back` was captured 30 ms before it arrived.
        let own = (ntp: back - 30_000_000, rtp: UInt32(700_000))
        let held = try #require(
            Self.push(&ingest, sequence: 11, timestamp: 700_960, arrival: back + 20_000_000, report: own))
        #expect(held == back + 20_000_000, "still on the arrival line: no step inside the file")
        #expect(ingest.clock.isSynchronized)
        #expect(ingest.clock.hasPendingReport)
        ingest.adoptLatestClock()  // a cut
        let adopted = try #require(
            Self.push(&ingest, sequence: 12, timestamp: 701_920, arrival: back + 40_000_000, report: own))
        #expect(abs(adopted - (back + 10_000_000)) < 1000, "on the new sender's report from the cut on")
        #expect(ingest.restarts == 1)
    }

    @Test func aNewReportOnTheOldSendersLastPacketWaitsForTheNewTimeline() throws {
        let start: Int64 = 3_900_000_000 * 1_000_000_000
        var ingest = Self.afterTheFirstSender(start: start)
        // The old sender's last packet, handed out after the new sender's report arrived.
        let newReport = (ntp: start + 2_000_000_000, rtp: UInt32(900_000_000))
        let old = try #require(
            Self.push(
                &ingest, sequence: 10, timestamp: 1000 + 10 * 960, arrival: start + 200_000_000, report: newReport))
        #expect(old == start + 200_000_000, "still on the first sender's line, not hours off")
        // The new sender's first packet: its timeline, and the held report applies to it.
        let new = try #require(
            Self.push(
                &ingest, sequence: 11, timestamp: 900_000_000 + 960, arrival: start + 2_100_000_000, report: newReport))
        #expect(ingest.restarts == 1)
        #expect(new == start + 2_000_000_000 + 20_000_000)
    }

    @Test func aRecordingThatStartsOnTheLastPublishersReportIgnoresIt() throws {
        // A stream published again: the recording of the new publisher starts while the tap
        // still hands out the last publisher's report (capacity search with reused stream names:
        // audio an hour ahead of the video).
        var ingest = TrackIngest(track: Self.track)
        let start: Int64 = 3_900_000_000 * 1_000_000_000
        let stale = (ntp: start - 1_000_000_000, rtp: UInt32(3_000_000_000))
        let first = try #require(
            Self.push(&ingest, sequence: 500, timestamp: 77_000, arrival: start, report: stale))
        #expect(first == start, "timed by arrival, not by another timeline's report")
        // The new publisher's own report, 40 ms after its first packet's capture.
        let own = (ntp: start + 40_000_000, rtp: UInt32(77_000 + 1920))
        let next = try #require(
            Self.push(&ingest, sequence: 501, timestamp: 77_960, arrival: start + 20_000_000, report: own))
        #expect(abs(next - (start + 20_000_000)) < 1000, "on its own report")
        #expect(ingest.restarts == 0)
        #expect(ingest.clock.isSynchronized)
    }
}
