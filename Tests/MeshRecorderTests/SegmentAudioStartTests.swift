import Foundation
import MeshCatalog
import MeshRecording
import MeshTestSupport
import Testing

@testable import MeshRecorder

/// Every segment's audio starts exactly one CodecDelay (``MatroskaTrack/opusPreRollSamples``,
/// 200 ms) before its first video frame, whatever the phase of the audio frames at the cut.
/// ffmpeg moves a file by its start, and its null muxer times video in 1/fps slots: with the
/// pre-roll at its frames' own times the start fell anywhere from -60 to -80 ms, and a 20 fps
/// layer's evenly spaced frames were rounded two into one slot in some segments ("non
/// monotonically increasing dts", the clean-clone CI's `layers: all` interop test). Checked
/// here with the issue's `ffmpeg -v error -i FILE -f null -` on real libvpx frames at every
/// millisecond of the 20 ms audio phase, two cuts each (with the old layout, the cuts at
/// phases 5 and 6 ms gave ffmpeg's "non monotonically increasing dts").
@Suite struct SegmentAudioStartTests {
    /// A 20 fps VP8 clip with a key frame every 10 frames.
    static func clip(in directory: String) throws -> [ClipFrame] {
        let path = "\(directory)/video.ivf"
        let made = try MediaTools.run(
            "ffmpeg",
            [
                "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=20:d=2", "-c:v",
                "libvpx", "-g", "10", "-keyint_min", "10", "-f", "ivf", path,
            ])
        try #require(made.status == 0, "\(made.stderr)")
        return try ClipReaders.ivf(path)
    }

    /// A catalog with no PostgreSQL: it keeps its rows in the journal.
    static func catalog(in directory: String) throws -> RecordingCatalog {
        try RecordingCatalog(
            client: RecordingCatalog.client(url: "postgresql://meshcast@127.0.0.1:9/none"),
            journal: URL(fileURLWithPath: "\(directory)/journal.jsonl"))
    }

    /// A new recording's series under `directory`, its folder made.
    static func series(in directory: String, catalog: RecordingCatalog) throws -> SegmentSeries {
        let series = SegmentSeries(recording: UUID(), storage: directory, catalog: catalog, metrics: RecorderMetrics())
        try FileManager.default.createDirectory(
            atPath: "\(directory)/\(series.directory)", withIntermediateDirectories: true)
        return series
    }

    static let tracks = [
        MatroskaTrack(number: 1, codec: .vp8(width: 160, height: 120)),
        MatroskaTrack(number: 2, codec: .opus(channels: 2, preSkip: MatroskaTrack.opusPreRollSamples)),
    ]

    @Test func audioStartsOneCodecDelayBeforeTheVideoAtEveryPhase() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("audio-start-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let video = try Self.clip(in: directory)
        try #require(video.count == 40 && video[0].isKeyFrame && video[10].isKeyFrame && !video[1].isKeyFrame)
        let catalog = try Self.catalog(in: directory)
        var failures: [String] = []
        for phase in 0..<20 {
            let series = try Self.series(in: directory, catalog: catalog)
            // Audio every 20 ms from `phase` ms, video every 50 ms from 1 s with up to 0.6 ms of
            // capture jitter either way (as Chromium's 20 fps layer has); cuts at frames 10 and
            // 20 (1.5 s and 2 s), the recording from frame 0.
            var events: [(wall: Int64, video: Int?)] = (0..<150).map { (Int64(phase + 20 * $0) * 1_000_000, nil) }
            events += (0..<30).map { (Int64(1000 + 50 * $0) * 1_000_000 + Int64($0 * 7919 % 13 - 6) * 100_000, $0) }
            for event in events.sorted(by: { $0.wall < $1.wall }) {
                if let index = event.video {
                    if index % 10 == 0 { try series.open(tracks: Self.tracks, at: event.wall) }
                    try video[index].bytes.withUnsafeBytes {
                        _ = try series.write(
                            track: 1, isVideo: true, wall: event.wall, isKeyFrame: video[index].isKeyFrame, frame: $0)
                    }
                } else {
                    try OpusGapFiller.silenceFrame.withUnsafeBytes {
                        _ = try series.write(track: 2, isVideo: false, wall: event.wall, isKeyFrame: true, frame: $0)
                    }
                }
            }
            try series.closeAll()
            let files = try FileManager.default.contentsOfDirectory(atPath: "\(directory)/\(series.directory)")
            #expect(files.count == 3, "\(files)")
            for file in files.sorted() {
                let path = "\(directory)/\(series.directory)/\(file)"
                let starts = try MediaTools.run(
                    "ffprobe", ["-v", "error", "-show_entries", "stream=codec_type,start_time", "-of", "csv=p=0", path]
                ).stdout
                if starts.split(separator: "\n").sorted() != ["audio,-0.200000", "video,0.000000"] {
                    failures.append("phase \(phase) \(file): starts \(starts)")
                }
                let errors = try MediaTools.decodeErrors(path)
                if !errors.isEmpty { failures.append("phase \(phase) \(file): \(errors)") }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures: \(failures.prefix(6))")
        await catalog.shutdown()
    }

    /// Audio whose first frame in a segment is timed an hour after its video (a sender report
    /// of the stream's previous publisher: seen in `meshbench capacity` with stream names
    /// reused between trials, 2 million silence frames in one file) gets silence only as far
    /// as the video has come, not to the frame.
    @Test func silenceBeforeLateAudioStopsWhereTheVideoIs() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("late-audio-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let video = try Self.clip(in: directory)
        let catalog = try Self.catalog(in: directory)
        let series = try Self.series(in: directory, catalog: catalog)
        try series.open(tracks: Self.tracks, at: 0)
        for index in 0..<10 {
            try video[index].bytes.withUnsafeBytes {
                _ = try series.write(
                    track: 1, isVideo: true, wall: Int64(index) * 50_000_000, isKeyFrame: video[index].isKeyFrame,
                    frame: $0)
            }
        }
        try OpusGapFiller.silenceFrame.withUnsafeBytes {
            _ = try series.write(track: 2, isVideo: false, wall: 3_600_000_000_000, isKeyFrame: true, frame: $0)
        }
        try series.closeAll()
        let file = try #require(
            try FileManager.default.contentsOfDirectory(atPath: "\(directory)/\(series.directory)").first)
        let packets = try MediaTools.run(
            "ffprobe",
            [
                "-v", "error", "-select_streams", "a", "-count_packets", "-show_entries", "stream=nb_read_packets",
                "-of", "csv=p=0", "\(directory)/\(series.directory)/\(file)",
            ]
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // Silence from -200 ms up to the video's last frame at 450 ms (32 frames), then the frame.
        #expect(packets == "33", "audio packets: \(packets)")
        await catalog.shutdown()
    }
}
