import Benchmark
import Foundation
import MeshRecording
import MeshWire

// The recorder's write path per RTP packet, as `TrackIngest.push` and `SegmentSeries.write`
// (MeshRecorder) run it on the recording queue for each packet drained from a stream's tap:
// parse the RTP packet in place, depacketize (VP8 RFC 7741, Opus RFC 7587), time the frame
// with the track's sender-report clock (`TrackClock`), write it to the segment
// (`MatroskaSegmentWriter`, clusters written whole to a real file). The media is one second of
// a 1.5 Mbit/s stream, repeated with advancing sequence numbers and timestamps: 30 VP8 frames
// of six ~1040-byte packets (a 1280x720 key frame each second) and 50 Opus packets of 160
// bytes, interleaved by time, each with a one-byte-header extension (mid, abs-capture-time)
// like the packets a relay link delivers. The ring copy before this (`StreamTap.push`, one
// memcpy into a fixed slot under a lock) is MeshRTC's and is not run here. Mallocs are per
// 1000 packets (scaling factor kilo); the target after warm-up is 0.

/// One second of the stream's RTP packets, in send order, and the seconds sent so far.
struct RecorderPacketLoop {
    /// Whole RTP packets, mutated in place as the loop advances.
    var packets: [[UInt8]]
    /// Whether each packet is video (else audio).
    let isVideo: [Bool]
    /// Each packet's offset in the second, in its track's clock ticks.
    let tickOffset: [UInt32]
    /// Each packet's offset in the second, in ns (its arrival time).
    let arrivalOffset: [Int64]
    var index = 0
    var second: Int64 = 0
    var videoSequence: UInt16 = 0
    var audioSequence: UInt16 = 0

    static let framePackets = 6
    static let videoPayload = 1040

    init() {
        var packets: [(at: Int64, video: Bool, ticks: UInt32, packet: [UInt8])] = []
        for frame in 0..<30 {
            let at = Int64(frame) * 1_000_000_000 / 30
            for part in 0..<Self.framePackets {
                var payload: [UInt8] = [part == 0 ? 0x10 : 0x00]
                if part == 0 && frame == 0 {
                    // A key frame's tag, start code and 1280x720 (RFC 6386 §9.1).
                    payload += [0x50, 0x42, 0x00, 0x9D, 0x01, 0x2A, 0x00, 0x05, 0xD0, 0x02]
                } else if part == 0 {
                    payload += [0x51, 0x42, 0x00]  // an inter frame's tag
                }
                payload += [UInt8](repeating: 0x42, count: Self.videoPayload - payload.count)
                let marker = part == Self.framePackets - 1
                packets.append(
                    (at, true, UInt32(frame * 3000), Self.packet(type: 96, marker: marker, ssrc: 1, payload: payload)))
            }
        }
        for frame in 0..<50 {
            // Opus TOC 0xFC: CELT fullband 20 ms, one frame (RFC 6716 §3.1).
            let payload = [0xFC] + [UInt8](repeating: 0x55, count: 159)
            packets.append(
                (
                    Int64(frame) * 20_000_000, false, UInt32(frame * 960),
                    Self.packet(type: 111, marker: false, ssrc: 2, payload: payload)
                ))
        }
        packets.sort { $0.at < $1.at || ($0.at == $1.at && $0.video && !$1.video) }
        self.packets = packets.map(\.packet)
        isVideo = packets.map(\.video)
        tickOffset = packets.map(\.ticks)
        arrivalOffset = packets.map(\.at)
    }

    /// An RTP packet (RFC 3550 §5.1) with a one-byte-header extension (RFC 8285 §4.2): mid
    /// (id 1, 1 byte) and abs-capture-time (id 2, 8 bytes), padded to a whole word.
    static func packet(type: UInt8, marker: Bool, ssrc: UInt8, payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0x90, (marker ? 0x80 : 0) | type, 0, 0, 0, 0, 0, 0, 0, 0, 0, ssrc]
        bytes += [0xBE, 0xDE, 0x00, 0x03, 0x10, 0x30, 0x27] + [UInt8](repeating: 0, count: 8) + [0x00]
        return bytes + payload
    }

    /// Hands the next packet (sequence number and timestamp written into its header) and its
    /// arrival time in ns to `body`.
    mutating func next<Result>(
        _ body: (UnsafeRawBufferPointer, _ isVideo: Bool, _ arrival: Int64) throws -> Result
    ) rethrows -> Result {
        let at = index
        let video = isVideo[at]
        let sequence = video ? videoSequence : audioSequence
        let rate: Int64 = video ? 90_000 : 48_000
        let timestamp = UInt32(truncatingIfNeeded: second * rate) &+ tickOffset[at]
        if video { videoSequence &+= 1 } else { audioSequence &+= 1 }
        let arrival = second * 1_000_000_000 + arrivalOffset[at]
        index += 1
        if index == packets.count {
            index = 0
            second += 1
        }
        return try packets[at].withUnsafeMutableBytes { bytes in
            bytes[2] = UInt8(sequence >> 8)
            bytes[3] = UInt8(truncatingIfNeeded: sequence)
            bytes.storeBytes(of: timestamp.bigEndian, toByteOffset: 4, as: UInt32.self)
            return try body(UnsafeRawBufferPointer(bytes), video, arrival)
        }
    }
}

/// The benchmark's write path wrote fewer frames than it fed, or failed a write.
struct WritePathError: Error {
    let frames: Int
    let expected: Int
    let failure: MatroskaSegmentWriter.WriteError?
}

/// Registers the write-path benchmark (called from `benchmarks`).
func recorderWritePathBenchmark() {
    Benchmark("Recorder write path per RTP packet (VP8 1.5 Mbit/s + Opus)") { benchmark in
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
        var loop = RecorderPacketLoop()
        var vp8 = VP8Depacketizer()
        var opus = OpusDepacketizer()
        var clocks = [TrackClock(clockRate: 90_000), TrackClock(clockRate: 48_000)]
        // A sender report per track at RTP timestamp 0 = NTP time 1 s, as the tap delivers.
        clocks[0].senderReport(ntp: 1 << 32, rtpTimestamp: 0)
        clocks[1].senderReport(ntp: 1 << 32, rtpTimestamp: 0)
        let origin = TrackClock.nanoseconds(ntp: 1 << 32)
        var last: [Int64] = [-1, -1]
        var frames = 0
        var failure: MatroskaSegmentWriter.WriteError?
        let count = benchmark.scaledIterations.count
        // Every frame the packets complete (a VP8 frame on its last packet): what must come out.
        var expected = 0

        benchmark.startMeasurement()
        for _ in 0..<count {
            loop.next { packet, isVideo, arrival in
                guard let view = try? RTPPacketView(parsing: packet) else { return }
                let payload = UnsafeRawBufferPointer(rebasing: view.bytes[view.payloadRange])
                let track = isVideo ? 0 : 1
                if !isVideo || view.marker { expected += 1 }
                // A nested function, not a closure in a variable: passed as a non-escaping
                // argument its context stays on the stack, as TrackIngest's closures do.
                func sink(_ event: DepacketizerEvent) {
                    guard case .frame(let frame) = event else { return }
                    let wall = clocks[track].wallTime(rtpTimestamp: frame.rtpTimestamp, arrival: origin + arrival)
                    // As SegmentSeries: ms from the segment's start, strictly increasing per track.
                    let milliseconds = max(max(wall - origin, 0) / 1_000_000, last[track] + 1)
                    last[track] = milliseconds
                    do throws(MatroskaSegmentWriter.WriteError) {
                        try writer.write(
                            track: track + 1, timestamp: milliseconds, isKeyFrame: frame.isKeyFrame, frame: frame.bytes)
                        frames += 1
                    } catch {
                        failure = error
                    }
                }
                if isVideo {
                    vp8.push(
                        sequence: view.sequenceNumber, timestamp: view.timestamp, marker: view.marker, payload: payload,
                        sink)
                } else {
                    opus.push(
                        sequence: view.sequenceNumber, timestamp: view.timestamp, marker: view.marker, payload: payload,
                        sink)
                }
            }
        }
        benchmark.stopMeasurement()
        // A benchmark of frames that were dropped, or of a writer that failed, measures nothing.
        guard failure == nil, frames == expected else {
            throw WritePathError(frames: frames, expected: expected, failure: failure)
        }
    }
}
