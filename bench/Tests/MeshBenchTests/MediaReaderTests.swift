import Testing

@testable import MeshBench

/// IVF and Ogg Opus parsing of hand-built files, and malformed ones rejected with an error.
@Suite struct MediaReaderTests {
    /// An IVF file header (libvpx ivfenc layout): "DKIF", version 0, header size 32, fourcc
    /// VP80, 320x180, rate 30/1, frame count, unused — all little-endian.
    static func ivfHeader(frames: UInt32) -> [UInt8] {
        Array("DKIF".utf8) + [0, 0] + [32, 0] + Array("VP80".utf8) + [0x40, 0x01] + [0xB4, 0x00]
            + [30, 0, 0, 0] + [1, 0, 0, 0] + littleEndian(frames) + [0, 0, 0, 0]
    }

    static func littleEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
    }

    /// A 12-byte IVF frame header (size, 64-bit pts) followed by the frame.
    static func ivfFrame(_ bytes: [UInt8], pts: UInt32) -> [UInt8] {
        littleEndian(UInt32(bytes.count)) + littleEndian(pts) + [0, 0, 0, 0] + bytes
    }

    @Test func ivfFramesComeOutWholeAndKeyFramesAreToldByTheFrameTag() throws {
        // RFC 6386 §9.1: frame tag bit 0 is P, 0 for a key frame.
        let key: [UInt8] = [0x50, 0x42, 0x00, 0x9D, 0x01, 0x2A]
        let inter: [UInt8] = [0x31, 0x01, 0x00, 0xAA]
        let file = Self.ivfHeader(frames: 2) + Self.ivfFrame(key, pts: 0) + Self.ivfFrame(inter, pts: 1)
        let clip = try MediaClip.vp8(ivf: file)
        #expect(clip.frames.map(\.bytes) == [key, inter])
        #expect(clip.frames.map(\.isKeyframe) == [true, false])
    }

    @Test func malformedIVFIsAnErrorNotATrap() {
        let good = Self.ivfHeader(frames: 1) + Self.ivfFrame([0x50, 1, 2], pts: 0)
        var wrongSignature = good
        wrongSignature[0] = UInt8(ascii: "X")
        var wrongCodec = good
        wrongCodec[8..<12] = ArraySlice("VP90".utf8)
        var hugeHeader = good
        hugeHeader[6] = 0xFF
        hugeHeader[7] = 0xFF
        let cases: [[UInt8]] = [
            [], Array(good.prefix(20)), wrongSignature, wrongCodec, hugeHeader,
            Array(good.dropLast(1)),  // frame runs past the end
            Self.ivfHeader(frames: 1) + [5, 0, 0],  // truncated frame header
            Self.ivfHeader(frames: 1) + Self.littleEndian(0xFFFF_FFFF) + [0, 0, 0, 0, 0, 0, 0, 0],
        ]
        for bytes in cases {
            #expect(throws: MediaFileError.self) { try IVFReader.frames(in: bytes) }
        }
    }

    /// One Ogg page (RFC 3533 §6): "OggS", version 0, header type, granule position,
    /// serial number, page sequence, CRC (left 0: the reader does not check it), segment
    /// count, lacing values, then the data.
    static func oggPage(lacing: [UInt8], data: [UInt8], sequence: UInt8) -> [UInt8] {
        Array("OggS".utf8) + [0, 0] + [UInt8](repeating: 0, count: 8) + [1, 0, 0, 0] + [sequence, 0, 0, 0]
            + [0, 0, 0, 0] + [UInt8(lacing.count)] + lacing + data
    }

    @Test func oggPacketsAreJoinedByLacingAndHeadersSkipped() throws {
        // RFC 7845 §5.1: OpusHead (19 bytes), §5.2: OpusTags; then audio.
        let head = Array("OpusHead".utf8) + [1, 2, 0x38, 0x01, 0x80, 0xBB, 0, 0, 0, 0, 0]
        let tags = Array("OpusTags".utf8) + [0, 0, 0, 0, 0, 0, 0, 0]
        let small: [UInt8] = [0xFC, 0x01, 0x02]
        // A 300-byte packet laced as 255 + 45 (RFC 3533 §5), and it spans two pages.
        let big = [UInt8](repeating: 0x7C, count: 300)
        let file =
            Self.oggPage(lacing: [19], data: head, sequence: 0)
            + Self.oggPage(lacing: [16], data: tags, sequence: 1)
            + Self.oggPage(lacing: [3, 255], data: small + big.prefix(255), sequence: 2)
            + Self.oggPage(lacing: [45], data: Array(big.suffix(45)), sequence: 3)
        let clip = try MediaClip.opus(ogg: file)
        #expect(clip.frames.map(\.bytes) == [small, big])
    }

    @Test func malformedOggIsAnErrorNotATrap() {
        let page = Self.oggPage(lacing: [3], data: [1, 2, 3], sequence: 0)
        var badCapture = page
        badCapture[0] = UInt8(ascii: "o")
        var badVersion = page
        badVersion[4] = 1
        let cases: [[UInt8]] = [
            Array(page.prefix(10)),  // truncated page header
            badCapture, badVersion,
            Array(page.dropLast(1)),  // segment runs past the end
            Array(page.prefix(26)) + [200],  // lacing table longer than the file
        ]
        for bytes in cases {
            #expect(throws: MediaFileError.self) { try OggOpusReader.packets(in: bytes) }
        }
    }
}
