import Foundation
import MeshRecording
import MeshTestSupport
import Testing

/// Opus holes filled with silence: the arithmetic, then a real encode (ffmpeg's libopus, 20 ms
/// frames) with one second cut out, filled and written, checked by ffmpeg and ffprobe.
@Suite struct OpusGapFillerTests {
    @Test func fillsWholeFramesBetweenTheLastEndAndTheNextStart() {
        var filler = OpusGapFiller()
        var filled: [Int64] = []
        filler.frame(at: 0, samples: 960) { filled.append($0) }
        filler.frame(at: 20_000_000, samples: 960) { filled.append($0) }
        #expect(filled.isEmpty)  // back to back
        filler.frame(at: 100_000_000, samples: 960) { filled.append($0) }  // 40..100 ms missing
        #expect(filled == [40_000_000, 60_000_000, 80_000_000])
        filled = []
        filler.frame(at: 121_000_000, samples: 960) { filled.append($0) }  // 1 ms of jitter: no frame
        #expect(filled.isEmpty)
        filler.frame(at: 159_000_000, samples: 960) { filled.append($0) }  // 141..159: a frame, rounded
        #expect(filled == [141_000_000])
        filled = []
        filler.frame(at: 30_000_000_000, samples: 960) { filled.append($0) }  // 30 s: left open
        #expect(filled.isEmpty)
        #expect(filler.expectedNext == 30_020_000_000)
    }

    @Test func aFilledRecordingDecodesToItsFullLength() throws {
        let directory = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try MediaTools.makeClips(in: directory, seconds: 3)
        let audio = try ClipReaders.oggOpus("\(directory)/audio.ogg")
        let path = "\(directory)/filled.webm"
        let writer = try MatroskaSegmentWriter(
            path: path,
            tracks: [MatroskaTrack(number: 1, codec: .opus(channels: audio.channels, preSkip: audio.preSkip))])
        var filler = OpusGapFiller()
        var silent = 0
        // The second second is lost (frames 50..<100 of 150).
        for (index, frame) in audio.frames.enumerated() where !(50..<100).contains(index) {
            let wall = frame.milliseconds * 1_000_000
            silent += filler.frame(at: wall, samples: 960) { at in
                OpusGapFiller.silenceFrame.withUnsafeBytes { bytes in
                    try? writer.write(track: 1, timestamp: at / 1_000_000, isKeyFrame: true, frame: bytes)
                }
            }
            try frame.bytes.withUnsafeBytes {
                try writer.write(track: 1, timestamp: frame.milliseconds, isKeyFrame: true, frame: $0)
            }
        }
        _ = try writer.close()
        #expect(silent == 50)
        #expect(try MediaTools.decodeErrors(path) == "")
        let probe = try MediaTools.probe(path)
        let duration = try #require(Double(probe.format["duration"] ?? ""))
        #expect(abs(duration - 3.0) < 0.06, "ffprobe duration \(duration) s, 3 s encoded")
        // Every 20 ms of the three seconds decodes to a frame: nothing is missing.
        #expect(try MediaTools.decodedFrames(path) == [audio.frames.count])
    }
}
