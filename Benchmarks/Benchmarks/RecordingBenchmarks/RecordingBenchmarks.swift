import Benchmark
import Foundation
import MeshRecording

// The recorder's write path: frames into a MatroskaSegmentWriter, clusters written whole to a
// real file. Each sample writes 1000 frames (scaling factor kilo) into one long-lived segment:
// 1200-byte video frames at 30 fps (a key frame every 60) and 160-byte Opus frames every 20 ms,
// interleaved by time. Times are per frame; mallocs per 1000 frames (the target after warm-up
// is 0: the cluster buffers and the cue list are reused). Iterations are capped so the file
// stays under about 80 MB.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], warmupIterations: 5,
        scalingFactor: .kilo, maxDuration: .seconds(2), maxIterations: 50)

    Benchmark("Matroska write VP8 + Opus frames") { benchmark in
        let path = NSTemporaryDirectory() + "recording-benchmark-\(UUID().uuidString).webm"
        let writer = try MatroskaSegmentWriter(
            path: path,
            tracks: [
                MatroskaTrack(number: 1, codec: .vp8(width: 1280, height: 720)),
                MatroskaTrack(number: 2, codec: .opus(channels: 2, preSkip: 312)),
            ])
        defer {
            writer.abandon()
            unlink(writer.partPath)
        }
        let video = [UInt8](repeating: 0x42, count: 1200)
        let audio = [UInt8](repeating: 0xFC, count: 160)
        var videoFrame = 0
        var audioFrame = 0
        benchmark.startMeasurement()
        try video.withUnsafeBytes { videoBytes in
            try audio.withUnsafeBytes { audioBytes in
                for _ in 0..<benchmark.scaledIterations.count {
                    let videoTime = Int64(videoFrame) * 100 / 3
                    let audioTime = Int64(audioFrame) * 20
                    if videoTime <= audioTime {
                        try writer.write(
                            track: 1, timestamp: videoTime, isKeyFrame: videoFrame % 60 == 0, frame: videoBytes)
                        videoFrame += 1
                    } else {
                        try writer.write(track: 2, timestamp: audioTime, isKeyFrame: true, frame: audioBytes)
                        audioFrame += 1
                    }
                }
            }
        }
        benchmark.stopMeasurement()
    }
}
