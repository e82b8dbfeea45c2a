import MeshTestSupport
import Testing

@testable import MeshRTC
@testable import MeshRecorder

/// A sender that stamps its reports when it sends them (aiortc) adds a delay that varies from
/// report to report (RFC 3550 §6.4.1 asks for the capture instant); under load the earliest
/// mapping of the last reports moves by several milliseconds at a time. Inside one segment the
/// frames keep the spacing of their RTP timestamps, and the recording takes the newer mapping
/// only where it cuts: a clean-clone CI run's A/V-sync recording, whose clock stepped back by
/// 7 ms between two frames, put two frames of a 30 fps file in one of ffmpeg's 1/30 s slots.
@Suite struct TrackIngestClockHoldTests {
    static let start: Int64 = 3_900_000_000 * 1_000_000_000

    @Test func framesKeepTheirRTPSpacingUntilTheCut() throws {
        var ingest = TrackIngest(track: TrackIngestRestartTests.track)
        var walls: [Int64] = []
        var latest: Int64 = 0
        var report: (ntp: Int64, rtp: UInt32)?
        // 10 s of 20 ms frames, a report every 25 frames sent 0 to 15 ms after its packet's
        // capture: up to 5 ms of scatter on a delay that grows under load.
        for index in 0..<500 {
            let timestamp = 1000 + UInt32(index) * 960
            let capture = Self.start + Int64(index) * 20_000_000
            if index % 25 == 0 {
                let load = Int64(index) * 20_000
                report = (capture + load + Int64(index * 7919 % 5000) * 1000, timestamp)
            }
            let bytes = TestPacket.rtp(
                sequence: UInt16(index), timestamp: timestamp, ssrc: 7, payloadType: 111,
                payload: TrackIngestRestartTests.opus)
            bytes.withUnsafeBytes { raw in
                let packet = TappedPacket(
                    track: 0, layer: 0, bytes: raw, arrival: capture + 30_000_000,
                    senderReportNTP: report.map { TrackIngestRestartTests.ntp($0.ntp) } ?? 0,
                    senderReportRTP: report?.rtp ?? 0, breakReason: .none)
                ingest.push(
                    packet,
                    frame: {
                        walls.append($0.wallTime)
                        latest = $0.latestWallTime
                    }, gap: { _ in })
            }
        }
        #expect(walls.count == 500)
        let steps = zip(walls.dropFirst(), walls).map { $0 - $1 }
        #expect(steps.allSatisfy { abs($0 - 20_000_000) <= 1 }, "steps \(Set(steps).sorted())")
        // The reports moved the mapping by up to 10 ms: it waits for the cut.
        #expect(ingest.clock.hasPendingReport)
        #expect(abs(latest - walls.last!) > 5_000_000)
        ingest.adoptLatestClock()
        #expect(!ingest.clock.hasPendingReport)
        var clock = ingest.clock
        #expect(clock.wallTime(rtpTimestamp: 1000 + 499 * 960, arrival: 0) == latest)
    }
}
