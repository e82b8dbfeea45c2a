import MeshWire
import Testing

/// Opus packets, RFC 6716 §3.1 (TOC byte, Table 2), §3.2 (frame packing) and §3.4 (R1–R7).
@Suite struct CodecOpusTests {
    @Test(arguments: [
        // (TOC byte, mode, bandwidth, frame samples at 48 kHz); config is the top 5 bits.
        (UInt8(0 << 3), OpusTOC.Mode.silk, OpusTOC.Bandwidth.narrowband, 480),  // config 0: 10 ms
        (UInt8(7 << 3), .silk, .mediumband, 2880),  // config 7: 60 ms
        (UInt8(11 << 3), .silk, .wideband, 2880),
        (UInt8(12 << 3), .hybrid, .superWideband, 480),
        (UInt8(15 << 3), .hybrid, .fullband, 960),  // 0x78, what browsers send
        (UInt8(16 << 3), .celt, .narrowband, 120),  // 2.5 ms
        (UInt8(22 << 3), .celt, .wideband, 480),
        (UInt8(25 << 3), .celt, .superWideband, 240),
        (UInt8(31 << 3), .celt, .fullband, 960),
    ])
    func configurationTable(toc: UInt8, mode: OpusTOC.Mode, bandwidth: OpusTOC.Bandwidth, samples: Int) {
        let parsed = OpusTOC(toc)
        #expect(parsed.mode == mode)
        #expect(parsed.bandwidth == bandwidth)
        #expect(parsed.frameSamples == samples)
    }

    @Test func codeZeroOneFrame() throws {
        // TOC 0x7C: config 15 (hybrid FB 20 ms) s=1 c=0, then one 3-byte frame.
        let packet = try withPayload([0x7C, 0x01, 0x02, 0x03]) { try OpusPacket(parsing: $0) }
        #expect(packet.toc.isStereo)
        #expect(packet.frameCount == 1)
        #expect(packet.durationSamples == 960)
    }

    @Test func codeOneNeedsOddLength() throws {
        // c=1: two frames of equal size, so the length after the TOC must be even [R3].
        let packet = try withPayload([0x79, 0xAA, 0xBB, 0xCC, 0xDD]) { try OpusPacket(parsing: $0) }
        #expect(packet.frameCount == 2)
        #expect(packet.durationSamples == 1920)
        #expect(throws: CodecPayloadError.opusR3Code1LengthEven) {
            try withPayload([0x79, 0xAA, 0xBB, 0xCC]) { try OpusPacket(parsing: $0) }
        }
    }

    @Test func codeTwoFirstFrameLength() throws {
        // c=2: length of frame 1 = 2 (one byte < 252), frame 2 takes the rest (1 byte).
        let packet = try withPayload([0x7A, 0x02, 0xAA, 0xBB, 0xCC]) { try OpusPacket(parsing: $0) }
        #expect(packet.frameCount == 2)
        #expect(throws: CodecPayloadError.opusR4Code2FrameLengthInvalid) {  // no length byte
            try withPayload([0x7A]) { try OpusPacket(parsing: $0) }
        }
        #expect(throws: CodecPayloadError.opusR4Code2FrameLengthInvalid) {  // 252 needs a second byte
            try withPayload([0x7A, 0xFC]) { try OpusPacket(parsing: $0) }
        }
        #expect(throws: CodecPayloadError.opusR4Code2FrameLengthInvalid) {  // 4*1+252 = 256 > 1 left
            try withPayload([0x7A, 0xFC, 0x01, 0xAA]) { try OpusPacket(parsing: $0) }
        }
    }

    @Test func implicitFrameLongerThan1275IsRejected() {
        // [R2]: code 0 with 1276 bytes of frame.
        #expect(throws: CodecPayloadError.opusR2FrameTooLong) {
            try withPayload([0x78] + [UInt8](repeating: 0, count: 1276)) { try OpusPacket(parsing: $0) }
        }
        #expect(throws: Never.self) {
            try withPayload([0x78] + [UInt8](repeating: 0, count: 1275)) { try OpusPacket(parsing: $0) }
        }
    }

    @Test func codeThreeConstantBitrate() throws {
        // c=3, count byte v=0 p=0 M=3, then 3 frames of 2 bytes.
        let bytes: [UInt8] = [0x7B, 0x03, 1, 1, 2, 2, 3, 3]
        let packet = try withPayload(bytes) { try OpusPacket(parsing: $0) }
        #expect(packet.frameCount == 3)
        #expect(!packet.isVariableBitrate)
        #expect(packet.durationSamples == 2880)
        #expect(throws: CodecPayloadError.opusR6Code3ConstantBitrateLengthInvalid) {  // 7 bytes for 3 frames [R6]
            try withPayload(Array(bytes.dropLast())) { try OpusPacket(parsing: $0) }
        }
        #expect(throws: CodecPayloadError.opusR6Code3ConstantBitrateLengthInvalid) {  // no count byte
            try withPayload([0x7B]) { try OpusPacket(parsing: $0) }
        }
    }

    @Test func codeThreePadding() throws {
        // p=1 M=2; padding length byte 2 -> 1 + 2 padding bytes; frames of 2 bytes each.
        let packet = try withPayload([0x7B, 0x42, 0x02, 1, 1, 2, 2, 0, 0]) { try OpusPacket(parsing: $0) }
        #expect(packet.frameCount == 2)
        #expect(packet.paddingLength == 3)
        // Padding length 255 means 254 bytes and another length byte follows: 255, 1 ->
        // 2 length bytes + 254 + 1 padding bytes; one frame of 4 bytes.
        let long: [UInt8] = [0x7B, 0x41, 0xFF, 0x01, 9, 9, 9, 9] + [UInt8](repeating: 0, count: 255)
        let padded = try withPayload(long) { try OpusPacket(parsing: $0) }
        #expect(padded.paddingLength == 257)
        #expect(throws: CodecPayloadError.opusR6Code3ConstantBitrateLengthInvalid) {  // padding past the end
            try withPayload(Array(long.dropLast(5))) { try OpusPacket(parsing: $0) }
        }
        #expect(throws: CodecPayloadError.opusR6Code3ConstantBitrateLengthInvalid) {  // length byte missing
            try withPayload([0x7B, 0x41, 0xFF]) { try OpusPacket(parsing: $0) }
        }
    }

    @Test func codeThreeVariableBitrate() throws {
        // v=1 M=3; lengths of frames 1 and 2 are 1 and 2; frame 3 takes the rest (2 bytes).
        let bytes: [UInt8] = [0x7B, 0x83, 0x01, 0x02, 0xA, 0xB, 0xB, 0xC, 0xC]
        let packet = try withPayload(bytes) { try OpusPacket(parsing: $0) }
        #expect(packet.isVariableBitrate)
        #expect(packet.frameCount == 3)
        #expect(throws: CodecPayloadError.opusR7Code3VariableBitrateLengthInvalid) {  // [R7]
            try withPayload(Array(bytes.prefix(6))) { try OpusPacket(parsing: $0) }
        }
        #expect(throws: CodecPayloadError.opusR7Code3VariableBitrateLengthInvalid) {  // length bytes cut
            try withPayload(Array(bytes.prefix(3))) { try OpusPacket(parsing: $0) }
        }
    }

    @Test func codeThreeFrameCountLimits() throws {
        // [R5]: M=0 is never valid; 7 frames of 20 ms is 140 ms > 120 ms.
        #expect(throws: CodecPayloadError.opusR5Code3FrameCountInvalid) {
            try withPayload([0x7B, 0x00]) { try OpusPacket(parsing: $0) }
        }
        #expect(throws: CodecPayloadError.opusR5Code3FrameCountInvalid) {
            try withPayload([0x7B, 0x07] + [UInt8](repeating: 0, count: 7)) { try OpusPacket(parsing: $0) }
        }
        // 48 CELT frames of 2.5 ms (config 16, TOC 0x83) are exactly 120 ms.
        let packet = try withPayload([0x83, 0x30] + [UInt8](repeating: 0, count: 48)) { try OpusPacket(parsing: $0) }
        #expect(packet.durationSamples == OpusPacket.maximumSamples)
    }

    @Test func emptyPacket() {
        #expect(throws: CodecPayloadError.opusR1Empty) { try withPayload([]) { try OpusPacket(parsing: $0) } }
    }
}
