import MeshTestSupport
import MeshWire
import Testing

/// Key frame detection against real packets: RTP captures made by ffmpeg 5.1 (Debian 12) with
/// scripts/fixtures/make-rtp-captures.sh, read with MeshTestSupport's `CodecCapture`. The video
/// captures hold 15 frames encoded with a key frame interval of 10 (`-g 10`), so frames 0 and
/// 10 are key frames and the rest are not.
@Suite struct CodecCaptureTests {
    static let keyFrameInterval = 10

    @Test func vp8KeyFrames() throws {
        let frames = CodecCapture.frames(try CodecCapture.packets("rtp/vp8.rtp"))
        #expect(frames.count == 15)
        for (index, frame) in frames.enumerated() {
            let expectKey = index % Self.keyFrameInterval == 0
            for (position, packet) in frame.enumerated() {
                let descriptor = try withPayload(packet.payload) { try VP8PayloadDescriptor(parsing: $0) }
                #expect(descriptor.isStartOfFrame == (position == 0), "frame \(index) packet \(position)")
                #expect(descriptor.isKeyFrame == (expectKey && position == 0), "frame \(index) packet \(position)")
                #expect(descriptor.pictureID != nil)
            }
            if expectKey, let first = frame.first {
                let header = try withPayload(first.payload) { try VP8PayloadDescriptor(parsing: $0).payloadHeader }
                #expect(header?.keyFrameWidth == 320)  // testsrc=size=320x240
                #expect(header?.keyFrameHeight == 240)
            }
        }
    }

    /// ffmpeg 5.1 leaves P=0 on every VP9 frame, so the descriptor alone calls every frame
    /// start a key picture; the VP9 uncompressed header tells the truth.
    @Test func vp9KeyFrames() throws {
        let frames = CodecCapture.frames(try CodecCapture.packets("rtp/vp9.rtp"))
        #expect(frames.count == 15)
        for (index, frame) in frames.enumerated() {
            for (position, packet) in frame.enumerated() {
                try withPayload(packet.payload) { payload in
                    let descriptor = try VP9PayloadDescriptor(parsing: payload)
                    #expect(descriptor.isStartOfFrame == (position == 0), "frame \(index) packet \(position)")
                    #expect(descriptor.isEndOfFrame == (position == frame.count - 1))
                    let expected: Bool? = position == 0 ? index % Self.keyFrameInterval == 0 : nil
                    #expect(descriptor.bitstreamIsKeyFrame(in: payload) == expected, "frame \(index)")
                }
            }
        }
    }

    @Test func h264KeyFrames() throws {
        let frames = CodecCapture.frames(try CodecCapture.packets("rtp/h264.rtp"))
        #expect(frames.count == 15)
        for (index, frame) in frames.enumerated() {
            let payloads = try frame.map { packet in try withPayload(packet.payload) { try H264Payload(parsing: $0) } }
            if index % Self.keyFrameInterval == 0 {
                // A key frame starts with parameter sets and holds an IDR slice (RFC 6184 §8.4
                // leaves their carriage to the sender; ffmpeg aggregates them in a STAP-A).
                #expect(payloads.first?.isKeyFrame == true, "frame \(index)")
                #expect(payloads.contains { $0.containsSPS })
                #expect(payloads.contains { $0.containsIDR })
            } else {
                #expect(!payloads.contains { $0.isKeyFrame }, "frame \(index)")
            }
            for payload in payloads {
                if case .fragment(_, _, let header) = payload.kind {
                    #expect([.idrSlice, .nonIDRSlice].contains(header.unitType))
                }
            }
        }
    }

    @Test func h264AggregatedParameterSets() throws {
        let packets = try CodecCapture.packets("rtp/h264.rtp")
        let first = try #require(packets.first)
        try withPayload(first.payload) { bytes in
            let payload = try H264Payload(parsing: bytes)
            guard case .aggregation(let count) = payload.kind else {
                Issue.record("expected ffmpeg's first packet to be a STAP-A, got \(payload.kind)")
                return
            }
            var types: [H264NALUnitType] = []
            for unit in payload.aggregatedUnits(in: bytes) { types.append(unit.header.unitType) }
            #expect(types.count == count)
            #expect(types.prefix(2) == [.sequenceParameterSet, .pictureParameterSet])
        }
    }

    /// Every Opus packet is valid and its duration matches the RTP clock (48 kHz, RFC 7587 §4.1).
    @Test func opusDurationsMatchTimestamps() throws {
        let packets = try CodecCapture.packets("rtp/opus.rtp")
        #expect(packets.count >= 10)
        for (previous, next) in zip(packets, packets.dropFirst()) {
            let parsed = try withPayload(previous.payload) { try OpusPacket(parsing: $0) }
            #expect(Int(next.timestamp &- previous.timestamp) == parsed.durationSamples)
            #expect(parsed.toc.mode == .celt)  // libopus picks CELT for a pure tone at 48 kb/s
        }
    }
}
