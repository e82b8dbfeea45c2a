import MeshTestSupport
import MeshWire
import Testing

/// The VP9 key frame's uncompressed header, VP9 Bitstream Specification §6.2 (frame_marker,
/// profile, show_existing_frame, frame_type, frame_sync_code, color_config §6.2.2, frame_size
/// §6.2.3), read after the RFC 9628 §4.2 payload descriptor.
@Suite struct CodecVP9KeyFrameHeaderTests {
    /// A key frame header written field by field (§6.2); `sync` replaces frame_sync_code.
    static func keyFrame(
        profile: UInt64, twelveBit: Bool = false, colorSpace: UInt64 = 2, fullRange: Bool = false,
        subsampling: (x: Bool, y: Bool) = (false, false), reserved: Bool = false, sync: UInt64 = 0x49_8342,
        width: UInt64 = 1280, height: UInt64 = 720
    ) -> [UInt8] {
        var writer = CodecBitWriter()
        writer.bits(2, 2)  // frame_marker
        writer.bits(profile & 1, 1)  // profile_low_bit
        writer.bits(profile >> 1, 1)  // profile_high_bit
        if profile == 3 { writer.flag(reserved) }  // reserved_zero
        writer.flag(false)  // show_existing_frame
        writer.flag(false)  // frame_type = KEY_FRAME
        writer.flag(true)  // show_frame
        writer.flag(false)  // error_resilient_mode
        writer.bits(sync, 24)
        if profile >= 2 { writer.flag(twelveBit) }
        writer.bits(colorSpace, 3)
        let otherSubsampling = profile == 1 || profile == 3
        if colorSpace != 7 {
            writer.flag(fullRange)
            if otherSubsampling {
                writer.flag(subsampling.x)
                writer.flag(subsampling.y)
                writer.flag(reserved)
            }
        } else if otherSubsampling {
            writer.flag(reserved)
        }
        writer.bits(width - 1, 16)
        writer.bits(height - 1, 16)
        writer.flag(false)  // render_and_frame_size_different
        return writer.bytes
    }

    /// What ffmpeg's libvpx-vp9 wrote for each profile (checked against ffmpeg's trace_headers).
    @Test(arguments: [
        ("codecs/vp9-profile0-640x360.rtp", 0, 8, true, 640, 360),
        ("codecs/vp9-profile1-322x182.rtp", 1, 8, false, 322, 182),
        ("codecs/vp9-profile2-320x180.rtp", 2, 10, true, 320, 180),
        ("codecs/vp9-profile3-320x180.rtp", 3, 12, false, 320, 180),
    ])
    func capturedProfiles(path: String, profile: Int, bitDepth: Int, subsampled: Bool, width: Int, height: Int)
        throws
    {
        let packets = try CodecCapture.packets(path)
        for (position, packet) in packets.enumerated() {
            let header = try withPayload(packet.payload) { payload in
                try VP9PayloadDescriptor(parsing: payload).keyFrameHeader(in: payload)
            }
            // One key frame per capture; the packets after the first continue it (B=0).
            #expect((header != nil) == (position == 0), "\(path) packet \(position)")
            guard let header else { continue }
            #expect(header.profile == UInt8(profile))
            #expect(header.bitDepth == UInt8(bitDepth))
            #expect(header.subsamplingX == subsampled && header.subsamplingY == subsampled)
            #expect(header.colorSpace == 0 && !header.isFullRange)  // CS_UNKNOWN, studio swing
            #expect(header.showFrame && !header.isErrorResilient)
            #expect(header.dimensions == VideoDimensions(width: UInt16(width), height: UInt16(height)))
        }
    }

    /// Over the 15-frame capture the header is found exactly where the frame header's
    /// frame_type says key frame (`bitstreamIsKeyFrame`), and nowhere else.
    @Test func agreesWithBitstreamKeyFrameCheck() throws {
        let frames = CodecCapture.frames(try CodecCapture.packets("rtp/vp9.rtp"))
        for (index, frame) in frames.enumerated() {
            for packet in frame {
                try withPayload(packet.payload) { payload in
                    let descriptor = try VP9PayloadDescriptor(parsing: payload)
                    let header = try descriptor.keyFrameHeader(in: payload)
                    #expect((header != nil) == (descriptor.bitstreamIsKeyFrame(in: payload) == true), "frame \(index)")
                    if let header { #expect(header.dimensions == VideoDimensions(width: 320, height: 240)) }
                }
            }
        }
    }

    /// §6.2.2: profile 1 carries its subsampling; RGB (color_space 7) is 4:4:4 and full range.
    @Test func handMadeColorConfigs() throws {
        let yuv440 = try #require(
            try withPayload(Self.keyFrame(profile: 1, fullRange: true, subsampling: (false, true))) {
                try VP9KeyFrameHeader(parsing: $0)
            })
        #expect(!yuv440.subsamplingX && yuv440.subsamplingY && yuv440.isFullRange && yuv440.colorSpace == 2)
        let rgb = try #require(
            try withPayload(Self.keyFrame(profile: 3, colorSpace: 7)) { try VP9KeyFrameHeader(parsing: $0) })
        #expect(rgb.colorSpace == 7 && rgb.isFullRange && !rgb.subsamplingX && !rgb.subsamplingY && rgb.bitDepth == 10)
        #expect(rgb.dimensions == VideoDimensions(width: 1280, height: 720))
        let widest = try #require(
            try withPayload(Self.keyFrame(profile: 0, width: 65535, height: 1)) { try VP9KeyFrameHeader(parsing: $0) })
        #expect(widest.width == 65535 && widest.height == 1)
    }

    /// §6.2: only frame_type KEY_FRAME has the header. Inter frames, intra-only frames (which a
    /// receiver cannot start at: they keep the reference slots) and show_existing_frame give nil.
    @Test func nonKeyFramesGiveNil() throws {
        var inter = CodecBitWriter()
        inter.bits(0b10_0_0_0_1_1_0, 8)  // marker, profile 0, show_existing 0, NON_KEY, show_frame, error_res 0
        var intraOnly = CodecBitWriter()
        intraOnly.bits(0b10_0_0_0_1_0_0, 8)  // NON_KEY, show_frame=0, error_resilient_mode=0
        intraOnly.bits(0b1_00, 3)  // intra_only=1, reset_frame_context
        intraOnly.bits(0x49_8342, 24)  // frame_sync_code: an intra-only frame has one too
        intraOnly.bits(0xFF, 8)  // refresh_frame_flags (profile 0 has no color_config here)
        intraOnly.bits(639, 16)
        intraOnly.bits(359, 16)
        let showExisting: [UInt8] = [0b10_0_0_1_010]  // show_existing_frame, frame_to_show_map_idx 2
        let showExistingProfile3: [UInt8] = [0b10_1_1_0_1_01]  // profile 3: reserved_zero comes first
        for bytes in [inter.bytes, intraOnly.bytes, showExisting, showExistingProfile3] {
            #expect(try withPayload(bytes) { try VP9KeyFrameHeader(parsing: $0) } == nil)
        }
    }

    /// A packet that does not start a frame (B=0) has no header, whatever its bytes look like.
    @Test func continuationPacketGivesNil() throws {
        let continuation: [UInt8] = [0x00] + Self.keyFrame(profile: 0)  // every flag clear: B=0
        let start: [UInt8] = [0x08] + Self.keyFrame(profile: 0)  // B=1
        for (bytes, expected) in [(continuation, false), (start, true)] {
            let header = try withPayload(bytes) { try VP9PayloadDescriptor(parsing: $0).keyFrameHeader(in: $0) }
            #expect((header != nil) == expected)
        }
    }

    /// Every malformed field throws the error naming its rule, and every cut throws; none traps.
    @Test func malformedHeadersThrow() {
        let cases: [([UInt8], CodecPayloadError)] = [
            ([0b01_0_0_0_0_1_0] + Array(Self.keyFrame(profile: 0).dropFirst()), .vp9FrameMarkerInvalid),
            (Self.keyFrame(profile: 3, reserved: true), .vp9ReservedBitSet),
            (Self.keyFrame(profile: 1, reserved: true), .vp9ReservedBitSet),
            (Self.keyFrame(profile: 0, sync: 0x49_8343), .vp9FrameSyncCodeInvalid),
            (Self.keyFrame(profile: 0, colorSpace: 7), .vp9ColorConfigInvalid),
            (Self.keyFrame(profile: 2, colorSpace: 7), .vp9ColorConfigInvalid),
            (Self.keyFrame(profile: 1, subsampling: (true, true)), .vp9ColorConfigInvalid),
            (Self.keyFrame(profile: 0, width: 65536), .vp9FrameSizeTooLarge),
        ]
        for (bytes, error) in cases {
            #expect(throws: error) { try withPayload(bytes) { try VP9KeyFrameHeader(parsing: $0) } }
        }
        // Through frame_size a profile 0 header has 8 + 24 + 4 + 32 = 68 bits, in 9 bytes: every
        // shorter prefix is truncated.
        let full = Self.keyFrame(profile: 0)
        for length in 0..<9 {
            #expect(throws: CodecPayloadError.vp9UncompressedHeaderTruncated, "length \(length)") {
                try withPayload(Array(full.prefix(length))) { try VP9KeyFrameHeader(parsing: $0) }
            }
        }
    }
}
