import Benchmark
import Foundation
import MeshRecording
import MeshWire

// The recorder's write path: frames into a MatroskaSegmentWriter, clusters written whole to a
// real file. Each sample writes 1000 frames (scaling factor kilo) into one long-lived segment:
// 1200-byte video frames at 30 fps (a key frame every 60) and 160-byte Opus frames every 20 ms,
// interleaved by time. Times are per frame; mallocs per 1000 frames (the target after warm-up
// is 0: the cluster buffers and the cue list are reused). Iterations are capped so the file
// stays under about 80 MB.

/// The depacketizer benchmark lost frames it should have assembled.
struct DepacketizeError: Error { let frames: Int }

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], warmupIterations: 5,
        scalingFactor: .kilo, maxDuration: .seconds(2), maxIterations: 50)

    recorderWritePathBenchmark()

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

    // RTP → frames: 1000 VP8 packets per sample (RFC 7741 one-byte descriptor), frames of
    // three 1100-byte packets, a key frame every 30. Mallocs per 1000 packets (target 0).
    Benchmark("VP8 depacketize 1100-byte packets") { benchmark in
        var packets: [[UInt8]] = []
        for index in 0..<3 {
            var payload: [UInt8] = [index == 0 ? 0x10 : 0x00]
            payload += [UInt8](repeating: 0x42, count: 1100)
            packets.append(payload)
        }
        // A VP8 key frame's tag, start code and 1280x720 (RFC 6386 §9.1) on the first packet.
        packets.append(
            [0x10, 0x50, 0x42, 0x00, 0x9D, 0x01, 0x2A, 0x00, 0x05, 0xD0, 0x02] + [UInt8](repeating: 0, count: 1090))
        // An inter frame's tag on the other frames' first packets.
        packets[0].replaceSubrange(1..<4, with: [0x51, 0x42, 0x00])
        var depacketizer = VP8Depacketizer()
        var sequence: UInt16 = 0
        var frames = 0
        benchmark.startMeasurement()
        for _ in 0..<benchmark.scaledIterations.count {
            let frame = Int(sequence / 3)
            let part = Int(sequence % 3)
            let payload = part == 0 && frame % 30 == 0 ? packets[3] : packets[part]
            payload.withUnsafeBytes { bytes in
                depacketizer.push(
                    sequence: sequence, timestamp: UInt32(frame * 3000), marker: part == 2, payload: bytes
                ) { _ in frames += 1 }
            }
            sequence &+= 1
        }
        benchmark.stopMeasurement()
        // Every frame must come out whole: a benchmark of dropped frames would measure nothing.
        guard frames == benchmark.scaledIterations.count / 3 else { throw DepacketizeError(frames: frames) }
    }
}
