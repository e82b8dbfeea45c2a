import Foundation
import MeshCatalog
import MeshTestSupport
import Testing

@testable import MeshRecorder

/// The MP4 job's ffmpeg command (`MP4Plan`) and child process (`FFmpegRun`), against Debian's
/// real ffmpeg: MP4 has no mapping for VP8 (ISO/IEC 14496-12 sample entries exist for `avc1`,
/// `vp09` and `Opus`, none for VP8), so ffmpeg refuses `-c copy` of a VP8 WebM into MP4 and
/// the plan re-encodes VP8 video; the result must probe as H.264 + Opus with the clip's length.
@Suite struct MP4PlanTests {
    static let vp8 = [
        RecordedTrack(number: 1, kind: .video, codec: "VP8", ssrc: 1),
        RecordedTrack(number: 2, kind: .audio, codec: "opus", ssrc: 2),
    ]

    @Test func argumentsPerKindAndCodec() {
        let remuxVP8 = MP4Plan(kind: .remuxMP4, tracks: Self.vp8)
        #expect(remuxVP8.outputArguments.contains("libx264"))
        #expect(Self.value(after: "-c:a", in: remuxVP8.outputArguments) == "copy")
        #expect(remuxVP8.note?.contains("VP8") == true)
        let vp9 = [RecordedTrack(number: 1, kind: .video, codec: "VP9", ssrc: 1)] + Self.vp8.dropFirst()
        let remuxVP9 = MP4Plan(kind: .remuxMP4, tracks: vp9)
        #expect(Self.value(after: "-c", in: remuxVP9.outputArguments) == "copy")
        #expect(!remuxVP9.outputArguments.contains("libx264"))
        #expect(remuxVP9.note == nil)
        let transcode = MP4Plan(kind: .transcodeMP4, tracks: vp9)
        #expect(Self.value(after: "-c:v", in: transcode.outputArguments) == "libx264")
        #expect(Self.value(after: "-c:a", in: transcode.outputArguments) == "aac")
        for plan in [remuxVP8, remuxVP9, transcode] {
            #expect(Self.value(after: "-f", in: plan.outputArguments) == "mp4")
            #expect(Self.value(after: "-threads", in: plan.outputArguments) == "1")
        }
    }

    @Test func vp8IsRefusedAsIsAndTheRemuxPlanMakesAPlayableMP4() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mp4plan-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = "\(directory)/in.webm"
        #expect(
            await FFmpegRun.run(
                [
                    "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=30", "-f", "lavfi", "-i",
                    "sine=frequency=440:sample_rate=48000", "-t", "2", "-c:v", "libvpx", "-c:a", "libopus", input,
                ], log: "\(directory)/make.log", limit: .seconds(120)) == .succeeded)
        // Copying VP8 into MP4 is what ffmpeg refuses.
        let copied = await FFmpegRun.run(
            ["-v", "error", "-i", input, "-c", "copy", "-f", "mp4", "\(directory)/copy.mp4"],
            log: "\(directory)/copy.log", limit: .seconds(120))
        guard case .failed(let reason) = copied else {
            Issue.record("ffmpeg put VP8 into MP4: \(copied)")
            return
        }
        #expect(reason.contains("vp8"), "\(reason)")
        let plan = MP4Plan(kind: .remuxMP4, tracks: Self.vp8)
        let output = "\(directory)/out.mp4"
        #expect(
            await FFmpegRun.run(
                ["-v", "error", "-i", input] + plan.outputArguments + [output], log: "\(directory)/out.log",
                limit: .seconds(120)) == .succeeded)
        let probe = try Self.probe(output)
        #expect(probe.codecs == ["h264", "opus"])
        #expect(abs(probe.duration - 2.0) <= 0.04, "ffprobe \(probe.duration) s of a 2 s clip")
    }

    @Test func aRunPastItsLimitIsStoppedAndAMissingInputFails() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mp4run-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // An endless source: only the limit ends it.
        let endless = await FFmpegRun.run(
            ["-v", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5", "-f", "null", "-"],
            log: "\(directory)/endless.log", limit: .milliseconds(500))
        #expect(endless == .timedOut)
        let missing = await FFmpegRun.run(
            ["-v", "error", "-i", "\(directory)/none.webm", "-f", "mp4", "\(directory)/x.mp4"],
            log: "\(directory)/missing.log", limit: .seconds(60))
        guard case .failed(let reason) = missing else {
            Issue.record("a missing input did not fail: \(missing)")
            return
        }
        #expect(reason.contains("none.webm"), "\(reason)")
    }

    static func value(after flag: String, in arguments: [String]) -> String? {
        guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }

    /// ffprobe's stream codecs (sorted) and container duration.
    static func probe(_ path: String) throws -> (codecs: [String], duration: Double) {
        let output = try MediaTools.run(
            "ffprobe", ["-v", "error", "-show_entries", "format=duration:stream=codec_name", "-of", "json", path])
        struct Probe: Decodable {
            struct Stream: Decodable {
                let codecName: String
                enum CodingKeys: String, CodingKey { case codecName = "codec_name" }
            }
            struct Format: Decodable { let duration: String }
            let streams: [Stream]
            let format: Format
        }
        let probe = try JSONDecoder().decode(Probe.self, from: Data(output.stdout.utf8))
        return (probe.streams.map(\.codecName).sorted(), Double(probe.format.duration) ?? 0)
    }
}
