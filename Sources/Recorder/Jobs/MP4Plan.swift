import MeshCatalog

/// The ffmpeg command of an MP4 job, from its kind and the recording's tracks.
///
/// MP4 (ISO BMFF) has registered mappings for H.264, VP9 (`vp09`, VP Codec ISO Media File
/// Format Binding) and Opus (`Opus`, Encapsulation of Opus in ISO BMFF), but none for VP8:
/// ffmpeg's `mp4` muxer refuses it ("Could not find tag for codec vp8 ... not currently
/// supported in container"). So `remux-mp4` copies every track MP4 can carry and re-encodes a
/// VP8 track to H.264; the job's `note` says so. `transcode-mp4` re-encodes everything to
/// H.264 and AAC, the pair every player plays.
struct MP4Plan: Equatable {
    /// ffmpeg's arguments after the input (codecs, MP4 options); the output path comes last.
    let outputArguments: [String]
    /// What the plan had to decide that the job's kind does not say; nil when nothing.
    let note: String?

    /// H.264 at a quality that suits a recording, fast enough for a background job on one thread.
    static let h264 = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"]

    init(kind: JobQueue.Kind, tracks: [RecordedTrack]) {
        var arguments = ["-map", "0"]
        var note: String?
        let video = tracks.first { $0.kind == .video }?.codec.uppercased()
        switch kind {
        case .transcodeMP4:
            arguments += Self.h264 + ["-c:a", "aac", "-b:a", "128k"]
        case .remuxMP4:
            if video == "VP8" {
                arguments += Self.h264 + ["-c:a", "copy"]
                note = "VP8 has no MP4 mapping: the video was re-encoded to H.264, the audio copied"
            } else {
                arguments += ["-c", "copy"]
            }
        }
        // One encoder thread, so the job never takes more than one core from the media path;
        // moov first, so a browser starts playing before the whole file is there.
        arguments += ["-threads", "1", "-movflags", "+faststart", "-f", "mp4"]
        outputArguments = arguments
        self.note = note
    }
}
