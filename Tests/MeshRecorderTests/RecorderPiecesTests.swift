import Foundation
import MeshCluster
import MeshRecording
import Testing

@testable import MeshRecorder

/// The recorder's small pure parts: Range resolution (RFC 9110 §14.1.2), segment names,
/// the recorder a policy stream falls to, and the list API's page cursor.
@Suite struct RecorderPiecesTests {
    // RFC 9110 §14.1.2's examples, against a 10000-byte file.
    @Test func rangesResolveAsRFC9110Says() {
        #expect(ByteRange(header: "bytes=0-499", length: 10000) == .part(0..<500))  // the first 500 bytes
        #expect(ByteRange(header: "bytes=500-999", length: 10000) == .part(500..<1000))
        #expect(ByteRange(header: "bytes=-500", length: 10000) == .part(9500..<10000))  // the final 500
        #expect(ByteRange(header: "bytes=9500-", length: 10000) == .part(9500..<10000))
        #expect(ByteRange(header: "bytes=0-99999", length: 10000) == .part(0..<10000))  // clipped to the end
        // Fuzz/FuzzByteRange's find (CI, 2026-12-06): a last position of Int.max used to trap on + 1.
        #expect(ByteRange(header: "bytes=9500-9223372036854775807", length: 10000) == .part(9500..<10000))
        #expect(ByteRange(header: "bytes=-20000", length: 10000) == .part(0..<10000))
        // §14.1.2: a first position at or past the length is unsatisfiable (416).
        #expect(ByteRange(header: "bytes=10000-", length: 10000) == .unsatisfiable)
        #expect(ByteRange(header: "bytes=-0", length: 10000) == .unsatisfiable)
        // Several ranges, another unit, nonsense: the whole file (a server may ignore Range).
        #expect(ByteRange(header: "bytes=0-1,5-6", length: 10000) == .whole)
        #expect(ByteRange(header: "items=0-1", length: 10000) == .whole)
        #expect(ByteRange(header: "bytes=5-1", length: 10000) == .whole)
        #expect(ByteRange(header: "bytes=x-y", length: 10000) == .whole)
        #expect(ByteRange(header: nil, length: 10000) == .whole)
    }

    @Test func segmentNamesCarryTheirSequenceAndStart() throws {
        let parsed = try #require(SegmentName.parse("000003-15020.webm"))
        #expect(parsed.sequence == 3 && parsed.start == 15.02)
        #expect(SegmentName.parse("000000-0.mkv")?.sequence == 0)
        #expect(SegmentName.parse("catalog-journal.jsonl") == nil)
        #expect(SegmentName.parse("000001-12.webm.part") == nil)
        #expect(SegmentName.parse("x-12.webm") == nil)
        #expect(SegmentName.parse("1--5.webm") == nil)
        #expect(SegmentName.parse("+1-5.webm") == nil)
    }

    @Test func everyRecorderPicksTheSameOneAndStreamsSpread() throws {
        let recorders = ["rec-a", "rec-b", "rec-c"]
        var counts: [String: Int] = [:]
        for index in 0..<300 {
            let chosen = try #require(RecorderChoice.recorder(for: "stream-\(index)", among: recorders))
            // The same answer whatever the order the topology lists them in.
            #expect(RecorderChoice.recorder(for: "stream-\(index)", among: recorders.reversed()) == chosen)
            counts[chosen, default: 0] += 1
        }
        // Rendezvous hashing spreads streams over every recorder.
        #expect(counts.count == 3 && counts.values.allSatisfy { $0 > 50 }, "\(counts)")
        // Removing one recorder moves only its streams.
        for index in 0..<300 {
            let before = RecorderChoice.recorder(for: "stream-\(index)", among: recorders)
            if before != "rec-c" {
                #expect(RecorderChoice.recorder(for: "stream-\(index)", among: ["rec-a", "rec-b"]) == before)
            }
        }
        #expect(RecorderChoice.recorder(for: "s", among: []) == nil)
    }

    @Test func pageCursorsRoundTripAndRefuseGarbage() throws {
        let id = UUID()
        let text = RecordingJSON.cursorText(.init(startedAt: "2026-12-05 07:58:01.123456+00", id: id))
        let back = try #require(RecordingJSON.cursor(text))
        #expect(back.startedAt == "2026-12-05 07:58:01.123456+00" && back.id == id)
        #expect(RecordingJSON.cursor("!!!") == nil)
        #expect(RecordingJSON.cursor(String(repeating: "A", count: 400)) == nil)
        #expect(RecordingJSON.cursor(Data("no bar".utf8).base64EncodedString()) == nil)
    }

    @Test func streamNamesFollowTheNodeRule() {
        #expect(RecordingRoutes.isStreamName("rec-policy_1.a~b"))
        #expect(!RecordingRoutes.isStreamName(""))
        #expect(!RecordingRoutes.isStreamName("a/b"))
        #expect(!RecordingRoutes.isStreamName(String(repeating: "a", count: 129)))
    }
}
