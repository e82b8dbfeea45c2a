import Foundation
import MeshRecording
import MeshTestSupport
import Testing

/// A recording's segments joined into one file (`/v1/recordings/{id}/media`): a real 3 s encode
/// (ffmpeg's VP8 with a key frame each second, and libopus) written as three 1 s segments the
/// way the recorder cuts them, each timed from its own start, then joined. ffmpeg must decode
/// the result without a word, ffprobe must see the whole 3 s, every frame, and the joined
/// timestamps must run on across the cuts (mkvinfo's cluster times).
@Suite struct MatroskaJoinTests {
    @Test func threeSegmentsJoinIntoOneFileThatPlays() throws {
        let directory = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try MediaTools.makeClips(in: directory, seconds: 3)
        let video = try ClipReaders.ivf("\(directory)/video.ivf")
        let audio = try ClipReaders.oggOpus("\(directory)/audio.ogg")
        let tracks = [
            MatroskaTrack(number: 1, codec: .vp8(width: 320, height: 240)),
            MatroskaTrack(number: 2, codec: .opus(channels: audio.channels, preSkip: audio.preSkip)),
        ]
        var parts: [MatroskaJoin.Part] = []
        for second in 0..<3 {
            let start = Int64(second * 1000)
            let slice = { (frames: [ClipFrame]) in
                frames.filter { $0.milliseconds >= start && ($0.milliseconds < start + 1000 || second == 2) }.map {
                    ClipFrame(bytes: $0.bytes, milliseconds: $0.milliseconds - start, isKeyFrame: $0.isKeyFrame)
                }
            }
            let path = "\(directory)/00000\(second)-\(start).webm"
            let writer = try MatroskaSegmentWriter(path: path, tracks: tracks)
            try RecordingClips.write(video: slice(video), audio: slice(audio.frames), to: writer)
            _ = try writer.close()
            parts.append(MatroskaJoin.Part(path: path, startMilliseconds: start))
        }
        let joined = "\(directory)/recording.webm"
        let summary = try MatroskaJoin.join(parts, into: joined)
        #expect(summary.path == joined)
        #expect(summary.frames == video.count + audio.frames.count)
        #expect(try MediaTools.decodeErrors(joined) == "")
        let probe = try MediaTools.probe(joined)
        let duration = try #require(Double(probe.format["duration"] ?? ""))
        #expect(abs(duration - 3.0) < 0.06, "ffprobe duration \(duration) s, 3 s encoded")
        #expect(try MediaTools.decodedFrames(joined) == [video.count, audio.frames.count])
        let clusters = try MediaTools.clusters(joined)
        #expect(clusters.map(\.seconds) == clusters.map(\.seconds).sorted())
        #expect((clusters.last?.seconds ?? 0) >= 2.0)
        #expect(try MediaTools.mkvinfo(joined).status == 0)
        // A second join replaces the file; a missing segment is an error, not a crash.
        _ = try MatroskaJoin.join(parts, into: joined)
        #expect(throws: MatroskaRecoveryError.self) {
            try MatroskaJoin.join(
                [MatroskaJoin.Part(path: "\(directory)/none.webm", startMilliseconds: 0)], into: joined)
        }
        #expect(throws: MatroskaRecoveryError.self) {
            try MatroskaJoin.join(
                [MatroskaJoin.Part(path: "\(directory)/audio.ogg", startMilliseconds: 0)], into: joined)
        }
        // A damaged segment (cut anywhere, or with a byte flipped) is an error or a smaller
        // file that still parses, never a trap: the join reads its input as untrusted bytes.
        let whole = try Data(contentsOf: URL(fileURLWithPath: parts[1].path))
        let damaged = "\(directory)/damaged.webm"
        var joinedCount = 0
        // The whole file last, undamaged: which cuts land where a join still succeeds (in the
        // Cues, after the last cluster) depends on the encode's sizes.
        let cuts = Array(stride(from: 0, to: whole.count, by: max(whole.count / 40, 1))) + [whole.count]
        for (index, cut) in cuts.enumerated() {
            var bytes = Data(whole.prefix(cut))
            if index % 2 == 1, cut < whole.count, !bytes.isEmpty {
                // Spread over the file but the same every run: a flip that mkvinfo and the join
                // disagree on fails every run, not one in many.
                bytes[index * 7919 % bytes.count] ^= 0xFF
            }
            try bytes.write(to: URL(fileURLWithPath: damaged))
            let part = MatroskaJoin.Part(path: damaged, startMilliseconds: 1000)
            if let summary = try? MatroskaJoin.join([parts[0], part], into: joined) {
                joinedCount += 1
                #expect(summary.frames >= 1)
                #expect(try MediaTools.mkvinfo(joined).status == 0)
            }
        }
        #expect(joinedCount > 0)
    }
}
