import MeshTestSupport
import Testing

@testable import MeshRTC
@testable import MeshRecorder

/// A gap in the catalog spans the hole from the track's last frame before it to its first frame
/// after it: an Opus track (RFC 7587: one packet, one 20 ms frame) that loses 25 packets lost
/// 500 ms after its last frame, not the instant between the packet that revealed the loss and
/// the frame it completes.
@Suite struct CataloguedGapTests {
    static let track = TappedTrack(kind: .audio, codec: .opus, clockRate: 48_000, channels: 2, ssrc: 7)
    static let start: Int64 = 3_900_000_000 * 1_000_000_000

    /// Pushes the packets numbered `sequences` (20 ms apart, timed by arrival: no sender
    /// report) and returns the last frame's wall time and the gaps reported.
    static func push(_ ingest: inout TrackIngest, _ sequences: [UInt16]) -> (last: Int64, gaps: [TrackIngest.Gap]) {
        var last: Int64 = 0
        var gaps: [TrackIngest.Gap] = []
        for sequence in sequences {
            let bytes = TestPacket.rtp(
                sequence: sequence, timestamp: 1000 + UInt32(sequence) * 960, ssrc: 7, payloadType: 111,
                payload: TrackIngestRestartTests.opus)
            bytes.withUnsafeBytes { raw in
                let packet = TappedPacket(
                    track: 0, layer: 0, bytes: raw, arrival: start + Int64(sequence) * 20_000_000, senderReportNTP: 0,
                    senderReportRTP: 0, breakReason: .none)
                ingest.push(packet, frame: { last = $0.wallTime }, gap: { gaps.append($0) })
            }
        }
        return (last, gaps)
    }

    @Test func aPlainLossStartsAtTheLastFrameBeforeTheHole() throws {
        var ingest = TrackIngest(track: Self.track)
        let before = Self.push(&ingest, Array(0..<50))
        #expect(before.gaps.isEmpty)
        // Packets 50-74 never come: 500 ms of audio.
        let after = Self.push(&ingest, Array(75..<80))
        let gap = try #require(after.gaps.first)
        #expect(after.gaps.count == 1)
        #expect(gap.start > before.last, "the depacketizer reports the hole from the packet after it")
        let row = CataloguedGap.row(gap, after: .none, lastFrame: before.last, recordingStart: Self.start)
        #expect(row.reason == "loss")
        #expect(abs(row.at - 0.98) < 0.0005, "at the last frame before the hole (49 × 20 ms)")
        #expect(abs(row.duration - 0.52) < 0.0005, "to the first frame after it: 26 × 20 ms")
    }

    @Test func theTapsBreakNamesTheReasonAndTheSpanIsTheSame() throws {
        var ingest = TrackIngest(track: Self.track)
        let before = Self.push(&ingest, Array(0..<10))
        let gap = try #require(Self.push(&ingest, [20]).gaps.first)
        let moved = CataloguedGap.row(gap, after: .linkMove, lastFrame: before.last, recordingStart: Self.start)
        #expect(moved.reason == "link-move")
        #expect(abs(moved.at - 0.18) < 0.0005 && abs(moved.duration - 0.22) < 0.0005)
        let back = CataloguedGap.row(gap, after: .publisherChange, lastFrame: 0, recordingStart: Self.start)
        #expect(back.reason == "publisher-reconnect")
        #expect(back.at >= moved.at, "no frame before: from where the depacketizer saw the hole")
    }
}
