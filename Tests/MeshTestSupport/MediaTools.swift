import Foundation

/// Runs the test oracles on this machine (Debian's `ffmpeg`, `ffprobe`, `mkvinfo`; installed
/// by scripts/setup) and makes real encoded clips with ffmpeg.
public enum MediaTools {
    /// What a tool printed and how it exited.
    public typealias Output = ChildProcess.Output

    /// Runs `/usr/bin/env tool arguments...` and collects its output.
    public static func run(_ tool: String, _ arguments: [String]) throws -> Output {
        try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"), [tool] + arguments)
    }

    /// `ffmpeg -v error -i FILE -f null -`: decodes every frame; prints nothing for a clean file.
    public static func decodeErrors(_ path: String) throws -> String {
        let output = try run("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-f", "null", "-"])
        return output.stderr + (output.status == 0 ? "" : "exit \(output.status)")
    }

    /// `ffprobe -show_streams -show_format` as key=value lines, per stream and for the format.
    public static func probe(_ path: String) throws -> (streams: [[String: String]], format: [String: String]) {
        let output = try run("ffprobe", ["-v", "error", "-show_streams", "-show_format", path])
        var streams: [[String: String]] = []
        var format: [String: String] = [:]
        var current: [String: String] = [:]
        for line in output.stdout.split(separator: "\n") {
            switch line {
            case "[STREAM]", "[FORMAT]": current = [:]
            case "[/STREAM]": streams.append(current)
            case "[/FORMAT]": format = current
            default:
                if let equals = line.firstIndex(of: "=") {
                    current[String(line[..<equals])] = String(line[line.index(after: equals)...])
                }
            }
        }
        return (streams, format)
    }

    /// `mkvinfo -a -p FILE`: every element (cues included) with its position in hex; its exit
    /// status is 0 only for a file it could parse.
    public static func mkvinfo(_ path: String) throws -> Output {
        try run("mkvinfo", ["-a", "-p", path])
    }

    /// Where mkvinfo found each top-level Cluster ("|+ Cluster at 0x1d7") and its timestamp
    /// in seconds ("| + Cluster timestamp: 00:00:01.000000000 at 0x...").
    public static func clusters(_ path: String) throws -> [(position: Int, seconds: Double)] {
        var result: [(position: Int, seconds: Double)] = []
        for line in try mkvinfo(path).stdout.split(separator: "\n") {
            if line.hasPrefix("|+ Cluster at 0x"), let position = Int(line.dropFirst(16), radix: 16) {
                result.append((position, -1))
            } else if line.hasPrefix("| + Cluster timestamp: "), let last = result.last {
                let clock = line.dropFirst(23).prefix(18).split(separator: ":").compactMap { Double($0) }
                guard clock.count == 3 else { continue }
                result[result.count - 1] = (last.position, clock[0] * 3600 + clock[1] * 60 + clock[2])
            }
        }
        return result
    }

    /// The frames ffprobe decodes in each stream (`-count_frames`), in stream order.
    public static func decodedFrames(_ path: String) throws -> [Int] {
        let output = try run(
            "ffprobe",
            ["-v", "error", "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path])
        return output.stdout.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// A fresh directory under the system temporary directory.
    public static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "meshrecording-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Encodes `seconds` of ffmpeg's testsrc pattern and a sine tone into `directory`:
    /// `video.ivf` (VP8 or VP9), `video.h264` (Annex B with access unit delimiters) and
    /// `audio.ogg` (Opus, 20 ms packets). Key frames every `gop` frames at 30 fps.
    public static func makeClips(in directory: String, seconds: Int = 3, gop: Int = 30, vp9: Bool = false) throws {
        let video = ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=30", "-t", "\(seconds)", "-pix_fmt", "yuv420p"]
        let vpx =
            vp9
            ? ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-strict", "experimental"]
            : ["-c:v", "libvpx", "-deadline", "realtime"]
        let commands: [[String]] = [
            video + vpx + ["-g", "\(gop)", "-b:v", "300k", "\(directory)/video.ivf"],
            video + [
                "-c:v", "libx264", "-profile:v", "baseline", "-tune", "zerolatency", "-bf", "0", "-g", "\(gop)",
                "-x264-params", "aud=1", "-bsf:v", "h264_mp4toannexb", "\(directory)/video.h264",
            ],
            [
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "\(seconds)", "-c:a", "libopus",
                "-frame_duration", "20", "-b:a", "64k", "\(directory)/audio.ogg",
            ],
        ]
        for arguments in commands {
            let output = try run("ffmpeg", ["-nostdin", "-v", "error", "-y"] + arguments)
            guard output.status == 0 else { throw ClipError(message: output.stderr) }
        }
    }

    /// ffmpeg could not make a clip; `message` is what it printed.
    public struct ClipError: Error {
        /// What ffmpeg printed.
        public let message: String

        /// The error with ffmpeg's `message`.
        public init(message: String) { self.message = message }
    }
}
