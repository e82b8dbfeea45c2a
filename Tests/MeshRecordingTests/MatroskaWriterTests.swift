import Foundation
import MeshRecording
import MeshTestSupport
import Testing

/// The writer against the oracles: files checked by ffprobe (codec, dimensions, duration),
/// decoded by `ffmpeg -v error` with no output, and parsed by mkvinfo (Cues, Duration).
/// Media are real encodes made by ffmpeg in a temporary directory.
@Suite struct MatroskaWriterTests {
    @Test func vp8AndOpusMakeAWebMThatPlays() throws {
        let directory = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try MediaTools.makeClips(in: directory, seconds: 3)
        let video = try ClipReaders.ivf("\(directory)/video.ivf")
        let audio = try ClipReaders.oggOpus("\(directory)/audio.ogg")
        let path = "\(directory)/segment.webm"
        let writer = try MatroskaSegmentWriter(
            path: path,
            tracks: [
                MatroskaTrack(number: 1, codec: .vp8(width: 320, height: 240)),
                MatroskaTrack(number: 2, codec: .opus(channels: audio.channels, preSkip: audio.preSkip)),
            ])
        #expect(FileManager.default.fileExists(atPath: path + ".part"))
        try RecordingClips.write(video: video, audio: audio.frames, to: writer)
        let summary = try writer.close()
        #expect(summary.path == path)
        #expect(summary.frames == video.count + audio.frames.count)
        #expect(!FileManager.default.fileExists(atPath: path + ".part"))

        #expect(try MediaTools.decodeErrors(path) == "")
        let probe = try MediaTools.probe(path)
        #expect(probe.format["format_name"] == "matroska,webm")
        #expect(probe.streams.count == 2)
        #expect(probe.streams.first?["codec_name"] == "vp8")
        #expect(probe.streams.first?["width"] == "320")
        #expect(probe.streams.first?["height"] == "240")
        #expect(probe.streams.last?["codec_name"] == "opus")
        #expect(probe.streams.last?["sample_rate"] == "48000")
        let duration = try #require(Double(probe.format["duration"] ?? ""))
        #expect(abs(duration - 3.0) < 0.06, "ffprobe duration \(duration) s, 3 s encoded")

        let info = try MediaTools.mkvinfo(path)
        #expect(info.status == 0, "\(info.stdout)\(info.stderr)")
        #expect(info.stdout.contains("Document type: webm"))
        #expect(info.stdout.contains("Cues"))
        #expect(info.stdout.contains("Cue point"))
        #expect(info.stdout.contains("Codec ID: V_VP8"))
        #expect(info.stdout.contains("Codec ID: A_OPUS"))
    }

    @Test func h264WithAvcCMakesAMatroskaThatPlays() throws {
        let directory = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try MediaTools.makeClips(in: directory, seconds: 2)
        let h264 = RecordingClips.h264Frames(try ClipReaders.annexB("\(directory)/video.h264"))
        let configuration = try #require(h264.configuration)
        let audio = try ClipReaders.oggOpus("\(directory)/audio.ogg")
        let path = "\(directory)/segment.mkv"
        let writer = try MatroskaSegmentWriter(
            path: path,
            tracks: [
                MatroskaTrack(number: 1, codec: .h264(width: 320, height: 240, decoderConfiguration: configuration)),
                MatroskaTrack(number: 2, codec: .opus(channels: audio.channels, preSkip: audio.preSkip)),
            ])
        try RecordingClips.write(video: h264.frames, audio: audio.frames, to: writer)
        let summary = try writer.close()

        #expect(try MediaTools.decodeErrors(summary.path) == "")
        let probe = try MediaTools.probe(summary.path)
        #expect(probe.streams.first?["codec_name"] == "h264")
        #expect(probe.streams.first?["profile"] == "Constrained Baseline")
        #expect(probe.streams.first?["width"] == "320")
        #expect(probe.streams.first?["height"] == "240")
        let info = try MediaTools.mkvinfo(summary.path)
        #expect(info.status == 0)
        #expect(info.stdout.contains("Document type: matroska"))
        #expect(info.stdout.contains("Codec ID: V_MPEG4/ISO/AVC"))
    }

    @Test func clustersStartAtKeyFramesAndStayShort() throws {
        // Key frames every 90 frames (3 s): clusters must still be cut about every second.
        let directory = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try MediaTools.makeClips(in: directory, seconds: 4, gop: 90)
        let video = try ClipReaders.ivf("\(directory)/video.ivf")
        let writer = try MatroskaSegmentWriter(
            path: "\(directory)/video.webm", tracks: [MatroskaTrack(number: 1, codec: .vp8(width: 320, height: 240))])
        try RecordingClips.write(video: video, audio: [], to: writer)
        let summary = try writer.close()
        #expect(summary.clusters >= 4)
        let info = try MediaTools.mkvinfo(summary.path)
        // mkvinfo prints one "Cue point" per key frame cluster: 0 s and 3 s.
        #expect(info.stdout.components(separatedBy: "+ Cue point").count - 1 == 2)
        #expect(try MediaTools.decodeErrors(summary.path) == "")
    }

    @Test func refusesUnknownTracksAndNegativeTimes() throws {
        let directory = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try MatroskaSegmentWriter(
            path: "\(directory)/a.webm", tracks: [MatroskaTrack(number: 1, codec: .opus(channels: 2, preSkip: 3840))])
        let frame: [UInt8] = [0xFC, 0xFF, 0xFE]
        frame.withUnsafeBytes { bytes in
            #expect(throws: MatroskaSegmentWriter.WriteError.unknownTrack(2)) {
                try writer.write(track: 2, timestamp: 0, isKeyFrame: true, frame: bytes)
            }
            #expect(throws: MatroskaSegmentWriter.WriteError.timestampOutOfRange(-81)) {
                // Opus may start its 80 ms CodecDelay (the pre-roll) before the segment, no further.
                try writer.write(track: 1, timestamp: -81, isKeyFrame: true, frame: bytes)
            }
        }
        // A segment's video starts with a key frame.
        let video = try MatroskaSegmentWriter(
            path: "\(directory)/v.webm", tracks: [MatroskaTrack(number: 1, codec: .vp8(width: 16, height: 16))])
        _ = frame.withUnsafeBytes { bytes in
            #expect(throws: MatroskaSegmentWriter.WriteError.firstVideoFrameNotKeyFrame(track: 1)) {
                try video.write(track: 1, timestamp: 0, isKeyFrame: false, frame: bytes)
            }
        }
        // A second writer on the same name must not clobber the first's .part.
        #expect(throws: MatroskaSegmentWriter.WriteError.self) {
            _ = try MatroskaSegmentWriter(
                path: "\(directory)/a.webm", tracks: [MatroskaTrack(number: 1, codec: .opus(channels: 2, preSkip: 0))])
        }
    }
}
