import Foundation
import MeshRecording
import MeshTestSupport
import MeshWire
import Testing

/// RTP → frames → file: real encodes packetized per their RFCs, depacketized, timed by
/// sender reports and written; ffmpeg must decode every frame without an error. Loss drops
/// the broken frame and everything up to the next key frame, reported as one gap.
@Suite struct DepacketizerTests {
    /// What a depacketizer gave back: frames (copied) and gaps.
    struct Output {
        var frames: [(timestamp: UInt32, isKeyFrame: Bool, bytes: [UInt8])] = []
        var gaps: [RecordingGap] = []

        mutating func take(_ event: DepacketizerEvent) {
            switch event {
            case .frame(let frame): frames.append((frame.rtpTimestamp, frame.isKeyFrame, Array(frame.bytes)))
            case .gap(let gap): gaps.append(gap)
            }
        }

        mutating func append(_ other: Output) {
            frames += other.frames
            gaps += other.gaps
        }
    }

    typealias Push = (UInt16, UInt32, Bool, UnsafeRawBufferPointer, (DepacketizerEvent) -> Void) -> Void

    static func run(_ packets: [TestRTPPacket], _ push: Push) -> Output {
        var output = Output()
        for packet in packets {
            packet.payload.withUnsafeBytes {
                push(packet.sequence, packet.timestamp, packet.marker, $0) { output.take($0) }
            }
        }
        return output
    }

    /// Writes depacketized video (track 1) and optional audio (track 2), their RTP times
    /// mapped through sender-report clocks to ms from the first frame, in arrival order.
    static func record(
        path: String, tracks: [MatroskaTrack], video: Output, videoClock: TrackClock, audio: Output? = nil,
        audioClock: TrackClock? = nil
    ) throws -> SegmentSummary {
        var videoClock = videoClock
        var audioClock = audioClock
        var timed: [(track: Int, wall: Int64, key: Bool, bytes: [UInt8])] = []
        for frame in video.frames {
            timed.append(
                (1, videoClock.wallTime(rtpTimestamp: frame.timestamp, arrival: 0), frame.isKeyFrame, frame.bytes))
        }
        if let audio, var clock = audioClock {
            for frame in audio.frames {
                timed.append((2, clock.wallTime(rtpTimestamp: frame.timestamp, arrival: 0), true, frame.bytes))
            }
            audioClock = clock
        }
        timed.sort { $0.wall < $1.wall }
        let origin = timed.first?.wall ?? 0
        let writer = try MatroskaSegmentWriter(path: path, tracks: tracks)
        for frame in timed {
            try frame.bytes.withUnsafeBytes {
                try writer.write(
                    track: frame.track, timestamp: (frame.wall - origin) / 1_000_000, isKeyFrame: frame.key, frame: $0)
            }
        }
        return try writer.close()
    }

    @Test func vp8AndOpusFromRTPPlayInSync() throws {
        let directory = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try MediaTools.makeClips(in: directory, seconds: 3)
        let clip = try ClipReaders.ivf("\(directory)/video.ivf")
        let sound = try ClipReaders.oggOpus("\(directory)/audio.ogg")
        // Different RTP bases and sequence numbers, the video's about to wrap.
        var vp8 = VP8Depacketizer()
        let video = Self.run(TestPacketizers.vp8(clip, base: 0xFFFF_8000, firstSequence: 65_500)) {
            vp8.push(sequence: $0, timestamp: $1, marker: $2, payload: $3, $4)
        }
        var opus = OpusDepacketizer()
        let audio = Self.run(TestPacketizers.opus(sound.frames, base: 0x7000_0000, firstSequence: 7)) {
            opus.push(sequence: $0, timestamp: $1, marker: $2, payload: $3, $4)
        }
        #expect(video.frames.count == clip.count)
        #expect(video.frames.map(\.bytes) == clip.map(\.bytes))
        #expect(video.frames.map(\.isKeyFrame) == clip.map(\.isKeyFrame))
        #expect(audio.frames.count == sound.frames.count)
        #expect(video.gaps.isEmpty && audio.gaps.isEmpty)
        #expect(vp8.dimensions == VideoDimensions(width: 320, height: 240))

        // Sender reports: both clips start at NTP second 100 (the audio's report is sent later).
        var videoClock = TrackClock(clockRate: 90_000)
        videoClock.senderReport(ntp: 100 << 32, rtpTimestamp: 0xFFFF_8000)
        var audioClock = TrackClock(clockRate: 48_000)
        audioClock.senderReport(ntp: (100 << 32) + (1 << 31), rtpTimestamp: 0x7000_0000 &+ 24_000)
        let summary = try Self.record(
            path: "\(directory)/rtp.webm",
            tracks: [
                MatroskaTrack(number: 1, codec: .vp8(width: 320, height: 240)),
                MatroskaTrack(number: 2, codec: .opus(channels: sound.channels, preSkip: sound.preSkip)),
            ],
            video: video, videoClock: videoClock, audio: audio, audioClock: audioClock)
        #expect(try MediaTools.decodeErrors(summary.path) == "")
        #expect(try MediaTools.decodedFrames(summary.path).first == clip.count)
        let probe = try MediaTools.probe(summary.path)
        // Both streams start at 0 (the reports put the first frames at the same instant): Opus
        // blocks are stored late by the CodecDelay in whole ms, which ffmpeg subtracts (its
        // 312-sample pre-skip is 6.5 ms, so within a millisecond).
        let starts = probe.streams.compactMap { Double($0["start_time"] ?? "") }
        #expect(starts.count == 2)
        #expect(starts.first == 0)
        #expect(abs(starts.last ?? 1) <= 0.001, "start times \(starts)")
        let duration = try #require(Double(probe.format["duration"] ?? ""))
        #expect(abs(duration - 3.0) < 0.06)
    }

    @Test func lossDropsFramesUntilTheNextKeyFrameAndIsAGap() throws {
        let directory = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try MediaTools.makeClips(in: directory, seconds: 3)
        let clip = try ClipReaders.ivf("\(directory)/video.ivf")
        var packets = TestPacketizers.vp8(clip, base: 1000, firstSequence: 0)
        // Lose the first packet of frame 10 (key frames at 0, 30, 60).
        let lost = try #require(packets.firstIndex { $0.timestamp == 1000 + UInt32(clip[10].milliseconds * 90) })
        packets.remove(at: lost)
        var vp8 = VP8Depacketizer()
        #expect(vp8.isWaitingForKeyFrame)
        // Waiting (the recorder asks for a key frame then) from the loss to the next key frame.
        let keyFrameTimestamp = 1000 + UInt32(clip[30].milliseconds * 90)
        let afterLoss = Array(packets[lost...].prefix { $0.timestamp != keyFrameTimestamp })
        var video = Self.run(Array(packets[..<lost])) {
            vp8.push(sequence: $0, timestamp: $1, marker: $2, payload: $3, $4)
        }
        #expect(!vp8.isWaitingForKeyFrame)
        video.append(Self.run(afterLoss) { vp8.push(sequence: $0, timestamp: $1, marker: $2, payload: $3, $4) })
        #expect(vp8.isWaitingForKeyFrame)
        video.append(
            Self.run(Array(packets[(lost + afterLoss.count)...])) {
                vp8.push(sequence: $0, timestamp: $1, marker: $2, payload: $3, $4)
            })
        #expect(!vp8.isWaitingForKeyFrame)
        #expect(video.frames.count == clip.count - 20)
        let gap = try #require(video.gaps.first)
        #expect(video.gaps.count == 1)
        #expect(gap.reason == .packetLoss)
        #expect(gap.lostPackets == 1)
        #expect(gap.endRTPTimestamp == 1000 + UInt32(clip[30].milliseconds * 90))
        #expect(gap.startRTPTimestamp >= 1000 + UInt32(clip[10].milliseconds * 90))
        #expect(gap.startRTPTimestamp <= 1000 + UInt32(clip[11].milliseconds * 90))
        // No frame that references a lost one reaches the file: ffmpeg decodes it cleanly.
        var clock = TrackClock(clockRate: 90_000)
        clock.senderReport(ntp: 5 << 32, rtpTimestamp: 1000)
        let summary = try Self.record(
            path: "\(directory)/loss.webm", tracks: [MatroskaTrack(number: 1, codec: .vp8(width: 320, height: 240))],
            video: video, videoClock: clock)
        #expect(try MediaTools.decodeErrors(summary.path) == "")
        #expect(try MediaTools.decodedFrames(summary.path) == [clip.count - 20])
    }

    @Test func h264FromRTPPlays() throws {
        let directory = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try MediaTools.makeClips(in: directory, seconds: 2)
        let accessUnits = try ClipReaders.annexB("\(directory)/video.h264")
        var h264 = H264Depacketizer()
        let packets = TestPacketizers.h264(accessUnits, base: 0x8000_0000, firstSequence: 100)
        #expect(packets.contains { $0.payload[0] & 0x1F == 28 }, "the clip exercises FU-A")
        let video = Self.run(packets) { h264.push(sequence: $0, timestamp: $1, marker: $2, payload: $3, $4) }
        #expect(video.frames.count == accessUnits.count)
        #expect(video.frames.map(\.bytes) == RecordingClips.h264Frames(accessUnits).frames.map(\.bytes))
        #expect(h264.dimensions == VideoDimensions(width: 320, height: 240))
        let configuration = try #require(h264.decoderConfiguration)
        var clock = TrackClock(clockRate: 90_000)
        clock.senderReport(ntp: 9 << 32, rtpTimestamp: 0x8000_0000)
        let summary = try Self.record(
            path: "\(directory)/h264.mkv",
            tracks: [
                MatroskaTrack(number: 1, codec: .h264(width: 320, height: 240, decoderConfiguration: configuration))
            ],
            video: video, videoClock: clock)
        #expect(try MediaTools.decodeErrors(summary.path) == "")
        #expect(try MediaTools.decodedFrames(summary.path) == [accessUnits.count])
    }

    @Test func vp9FromRTPPlays() throws {
        let directory = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try MediaTools.makeClips(in: directory, seconds: 2, vp9: true)
        let clip = try ClipReaders.ivf("\(directory)/video.ivf", vp9: true)
        var vp9 = VP9Depacketizer()
        let video = Self.run(TestPacketizers.vp9(clip, base: 3, firstSequence: 9)) {
            vp9.push(sequence: $0, timestamp: $1, marker: $2, payload: $3, $4)
        }
        #expect(video.frames.count == clip.count)
        #expect(vp9.dimensions == VideoDimensions(width: 320, height: 240))
        var clock = TrackClock(clockRate: 90_000)
        clock.senderReport(ntp: 1 << 32, rtpTimestamp: 3)
        let summary = try Self.record(
            path: "\(directory)/vp9.webm", tracks: [MatroskaTrack(number: 1, codec: .vp9(width: 320, height: 240))],
            video: video, videoClock: clock)
        #expect(try MediaTools.decodeErrors(summary.path) == "")
        #expect(try MediaTools.probe(summary.path).streams.first?["codec_name"] == "vp9")
        #expect(try MediaTools.decodedFrames(summary.path) == [clip.count])
    }

    @Test func garbagePayloadsAreGapsNotCrashes() {
        var generator = SystemRandomNumberGenerator()
        var vp8 = VP8Depacketizer()
        var vp9 = VP9Depacketizer()
        var h264 = H264Depacketizer()
        var opus = OpusDepacketizer()
        var events = 0
        for sequence in 0..<2000 {
            let payload = (0..<Int.random(in: 0..<64, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            let marker = Bool.random(using: &generator)
            let timestamp = UInt32(sequence / 3 * 3000)
            payload.withUnsafeBytes { bytes in
                let sequence = UInt16(truncatingIfNeeded: sequence)
                vp8.push(sequence: sequence, timestamp: timestamp, marker: marker, payload: bytes) { _ in events += 1 }
                vp9.push(sequence: sequence, timestamp: timestamp, marker: marker, payload: bytes) { _ in events += 1 }
                h264.push(sequence: sequence, timestamp: timestamp, marker: marker, payload: bytes) { _ in events += 1 }
                opus.push(sequence: sequence, timestamp: timestamp, marker: marker, payload: bytes) { _ in events += 1 }
            }
        }
        #expect(events >= 0)  // reaching here without a trap is the property
    }
}
