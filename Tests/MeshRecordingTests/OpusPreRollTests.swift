import Foundation
import MeshRecording
import MeshTestSupport
import Testing

/// A segment's audio starts with 80 ms of decoder pre-roll (RFC 7845 §4.6): the frames before
/// the segment's start, stored before their time by the track's CodecDelay (RFC 9559
/// §5.1.4.1.15; the WebM Opus mapping sets it to the pre-skip), which ffmpeg subtracts from
/// every block and decodes and discards. Checked against ffprobe and ffmpeg on a real libopus
/// encode of a tone that starts 1 s into the clip, the segment cut right there: the tone plays
/// from the segment's first sample at full level, where a cold decoder (no pre-roll) renders
/// its first frame attenuated and the tone's onset reads late (the A/V-sync interop test saw
/// beeps 25-33 ms late at cuts).
@Suite struct OpusPreRollTests {
    /// 48 kHz mono Opus in 20 ms packets, in voice mode at 24 kbit/s (SILK or hybrid, whose
    /// decoder state carries from frame to frame; aiortc's encoder is set to `voip` too):
    /// silence, then a 1 kHz tone at 0.8 from `toneAt` s. (At 64 kbit/s CELT a cold decoder
    /// renders a tone after silence at once.)
    static func clip(in directory: String, seconds: Int, toneAt: Double) throws -> [ClipFrame] {
        let output = try MediaTools.run(
            "ffmpeg",
            [
                "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                "aevalsrc=if(gte(t\\,\(toneAt))\\,0.8*sin(2*PI*1000*t)\\,0):s=48000:d=\(seconds)", "-c:a", "libopus",
                "-frame_duration", "20", "-application", "voip", "-b:a", "24k", "\(directory)/tone.ogg",
            ])
        guard output.status == 0 else { throw MediaTools.ClipError(message: output.stderr) }
        return try ClipReaders.oggOpus("\(directory)/tone.ogg").frames
    }

    /// The first audio frame's time (ffprobe) and the decoded samples (ffmpeg, mono s16).
    static func decode(_ path: String, in directory: String) throws -> (firstTime: Double, samples: [Int16]) {
        let probe = try MediaTools.run(
            "ffprobe",
            ["-v", "error", "-select_streams", "a", "-show_entries", "frame=pts_time", "-of", "csv=p=0", path])
        let first = try #require(probe.stdout.split(separator: "\n").first.flatMap { Double($0) })
        let raw = "\(directory)/decoded.raw"
        let output = try MediaTools.run(
            "ffmpeg", ["-nostdin", "-v", "error", "-y", "-i", path, "-map", "0:a", "-ac", "1", "-f", "s16le", raw])
        #expect(output.status == 0, "\(output.stderr)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: raw)))
        let samples = stride(from: 0, to: bytes.count - 1, by: 2).map {
            Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8)
        }
        return (first, samples)
    }

    /// Where the decoded audio first passes a quarter of full scale (s from the segment's start).
    static func onset(_ decoded: (firstTime: Double, samples: [Int16])) -> Double? {
        decoded.samples.firstIndex { abs(Int($0)) > 32768 / 4 }.map { decoded.firstTime + Double($0) / 48_000 }
    }

    /// Writes `frames` (20 ms each, clip time in ms) from `from` ms of the clip into a segment
    /// starting at `start` ms, with the pre-skip `preSkip`.
    static func segment(
        _ frames: [ClipFrame], from: Int64, start: Int64, preSkip: Int, path: String
    ) throws -> SegmentSummary {
        let writer = try MatroskaSegmentWriter(
            path: path, tracks: [MatroskaTrack(number: 1, codec: .opus(channels: 1, preSkip: preSkip))])
        for frame in frames where frame.milliseconds >= from {
            try frame.bytes.withUnsafeBytes {
                try writer.write(track: 1, timestamp: frame.milliseconds - start, isKeyFrame: true, frame: $0)
            }
        }
        return try writer.close()
    }

    @Test func thePreRollIsDiscardedAndTheFirstFrameDecodesWarm() throws {
        let directory = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The tone is on when the segment starts: it starts at 0.99 s of the input, and libopus
        // delays its output by its 312-sample pre-skip (RFC 7845 §4.2), so it is at 0.9965 s of
        // the decoded stream, whose frame k starts at 20 k ms; the cut is at frame 50 (1 s).
        let frames = try Self.clip(in: directory, seconds: 3, toneAt: 0.99)

        let path = "\(directory)/preroll.webm"
        let summary = try Self.segment(frames, from: 920, start: 1000, preSkip: 3840, path: path)
        #expect(summary.frames == frames.filter { $0.milliseconds >= 920 }.count, "4 frames of pre-roll, then the rest")
        #expect(try MediaTools.decodeErrors(path) == "")
        let info = try MediaTools.mkvinfo(path)
        #expect(info.stdout.contains("Codec-inherent delay: 00:00:00.080000000"), "\(info.stdout)")
        #expect(info.stdout.contains("Seek pre-roll: 00:00:00.080000000"))
        let probe = try MediaTools.probe(path)
        let duration = try #require(Double(probe.format["duration"] ?? ""))
        #expect(abs(duration - 2.0) < 0.04, "ffprobe: \(duration) s, 2 s after the cut")
        let decoded = try Self.decode(path, in: directory)
        #expect(abs(decoded.firstTime) < 0.0005, "the first sample played is the segment's start")
        #expect(abs(decoded.samples.count - 2 * 48_000) <= 960, "the pre-roll is not played: \(decoded.samples.count)")
        let warm = try #require(Self.onset(decoded))
        #expect(warm >= 0 && warm < 0.002, "the tone from the segment's first sample: \(warm) s")

        // The same cut with no pre-roll: the decoder starts cold on the tone's first frame.
        let coldPath = "\(directory)/cold.webm"
        _ = try Self.segment(frames, from: 1000, start: 1000, preSkip: 0, path: coldPath)
        let cold = try #require(Self.onset(try Self.decode(coldPath, in: directory)))
        #expect(cold > 0.004, "a cold decoder renders its first frame attenuated: the tone reads \(cold) s late")
    }

    @Test func aJoinPlaysEachStretchOnceAcrossTheCut() throws {
        let directory = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let frames = try Self.clip(in: directory, seconds: 3, toneAt: 1.0)
        // Segment 0 has the audio up to 1.04 s (frames that came before the cut's key frame),
        // segment 1 from 0.92 s: its pre-roll and those two frames again.
        let firstPath = "\(directory)/000000-0.webm"
        let writer = try MatroskaSegmentWriter(
            path: firstPath, tracks: [MatroskaTrack(number: 1, codec: .opus(channels: 1, preSkip: 3840))])
        for frame in frames where frame.milliseconds < 1040 {
            try frame.bytes.withUnsafeBytes {
                try writer.write(track: 1, timestamp: frame.milliseconds, isKeyFrame: true, frame: $0)
            }
        }
        _ = try writer.close()
        let secondPath = "\(directory)/000001-1000.webm"
        _ = try Self.segment(frames, from: 920, start: 1000, preSkip: 3840, path: secondPath)
        let joined = try MatroskaJoin.join(
            [
                MatroskaJoin.Part(path: firstPath, startMilliseconds: 0),
                MatroskaJoin.Part(path: secondPath, startMilliseconds: 1000),
            ], into: "\(directory)/recording.webm")
        #expect(joined.frames == frames.count, "every frame once (the first segment's own pre-roll was silence)")
        #expect(try MediaTools.decodeErrors(joined.path) == "")
        let probe = try MediaTools.probe(joined.path)
        let duration = try #require(Double(probe.format["duration"] ?? ""))
        #expect(abs(duration - 3.0) < 0.06, "ffprobe: \(duration) s")
        let decoded = try Self.decode(joined.path, in: directory)
        let onset = try #require(Self.onset(decoded))
        #expect(abs(onset - 1.0 - 312.0 / 48_000) < 0.003, "the tone where it was: \(onset) s")
        #expect(abs(decoded.samples.count - (frames.count * 960 - 3840)) <= 960, "\(decoded.samples.count) samples")
    }
}
