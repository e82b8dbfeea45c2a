import MeshTestSupport
import MeshWire
import Testing

/// The VP8 key frame header, RFC 6386 §9.1 (frame tag, start code 9d 01 2a, 14-bit width and
/// height with 2-bit scale), read after the RFC 7741 §4.2 payload descriptor.
@Suite struct CodecVP8KeyFrameTests {
    /// The frame tag and key frame header of a 640x480 key frame with both scales set.
    static let scaledKeyFrame: [UInt8] = [
        0x90, 0x46, 0x02,  // frame tag: key frame (bit 0 = 0), version 0, show_frame, size 4660
        0x9D, 0x01, 0x2A,  // start code
        0x80, 0x42,  // 0x4280 little-endian: scale 1 (5/4), width 640
        0xE0, 0xC1,  // 0xC1E0 little-endian: scale 3 (2), height 480
    ]

    /// Every key frame of every capture states the size ffmpeg encoded, and no other packet
    /// (continuations and inter frames) yields a header.
    @Test(arguments: [
        ("rtp/vp8.rtp", 320, 240), ("codecs/vp8-640x360.rtp", 640, 360), ("codecs/vp8-322x182.rtp", 322, 182),
    ])
    func capturedKeyFrames(path: String, width: Int, height: Int) throws {
        let frames = CodecCapture.frames(try CodecCapture.packets(path))
        var keyFrames = 0
        for (index, frame) in frames.enumerated() {
            for (position, packet) in frame.enumerated() {
                let header = try withPayload(packet.payload) { payload in
                    try VP8PayloadDescriptor(parsing: payload).payloadHeader?.keyFrameHeader
                }
                // ffmpeg was run with -g 10: frames 0 and 10 are the key frames.
                #expect((header != nil) == (position == 0 && index % 10 == 0), "\(path) frame \(index)")
                guard let header else { continue }
                keyFrames += 1
                #expect(header.dimensions == VideoDimensions(width: UInt16(width), height: UInt16(height)))
                #expect(header.horizontalScale == 0 && header.verticalScale == 0)
            }
        }
        #expect(keyFrames == (frames.count + 9) / 10)
    }

    /// The frame-level parser reads the same header from the VP8 payload of the first packet.
    @Test func frameParserMatchesDescriptorPath() throws {
        let first = try #require(try CodecCapture.packets("codecs/vp8-640x360.rtp").first)
        try withPayload(first.payload) { payload in
            let descriptor = try VP8PayloadDescriptor(parsing: payload)
            let frame = UnsafeRawBufferPointer(rebasing: payload[descriptor.payloadOffset...])
            let header = try #require(try VP8KeyFrameHeader(parsing: frame))
            #expect(header == descriptor.payloadHeader?.keyFrameHeader)
            #expect(descriptor.payloadHeader?.keyFrameWidth == 640)
        }
    }

    /// §9.1: the top two bits of each size field are the scale, not part of the size.
    @Test func scaleBitsAreSeparateFromSize() throws {
        let header = try #require(try withPayload(Self.scaledKeyFrame) { try VP8KeyFrameHeader(parsing: $0) })
        #expect(header.width == 640 && header.horizontalScale == 1)
        #expect(header.height == 480 && header.verticalScale == 3)
        #expect(header.dimensions.description == "640x480")
    }

    /// §9.1: an inter frame (bit 0 of the tag set) has no key frame header: `nil`, not an error.
    @Test func interFrameHasNoHeader() throws {
        var bytes = Self.scaledKeyFrame
        bytes[0] |= 0x01
        #expect(try withPayload(bytes) { try VP8KeyFrameHeader(parsing: $0) } == nil)
    }

    /// §9.1: every cut before the end of the height field throws; none traps.
    @Test func truncatedKeyFrameThrows() {
        for length in 0..<Self.scaledKeyFrame.count {
            let expected: CodecPayloadError = length < 3 ? .vp8PayloadHeaderTruncated : .vp8KeyFrameHeaderTruncated
            #expect(throws: expected, "length \(length)") {
                try withPayload(Array(Self.scaledKeyFrame.prefix(length))) { try VP8KeyFrameHeader(parsing: $0) }
            }
        }
    }

    /// §9.1: a wrong start code or a zero size is refused; the descriptor still reports the key
    /// frame (its P bit says so) but without a header, so key frame detection does not change.
    @Test func badStartCodeAndZeroSize() throws {
        var badCode = Self.scaledKeyFrame
        badCode[4] = 0x02
        var zeroWidth = Self.scaledKeyFrame
        zeroWidth[6] = 0x00
        zeroWidth[7] = 0x40  // scale 1, width 0
        for (bytes, error) in [(badCode, CodecPayloadError.vp8StartCodeInvalid), (zeroWidth, .vp8FrameSizeZero)] {
            #expect(throws: error) { try withPayload(bytes) { try VP8KeyFrameHeader(parsing: $0) } }
            let descriptor = try withPayload([0x10] + bytes) { try VP8PayloadDescriptor(parsing: $0) }
            #expect(descriptor.isKeyFrame)
            #expect(descriptor.payloadHeader?.keyFrameHeader == nil)
        }
    }
}
