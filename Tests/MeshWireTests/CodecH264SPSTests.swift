import MeshTestSupport
import MeshWire
import Testing

/// H.264 sequence parameter sets from real encoders (ITU-T H.264 §7.3.2.1.1 up to frame
/// cropping; width and height per §7.4.2.1.1), found in RTP payloads the three ways RFC 6184
/// allows: a single NAL unit (§5.6), inside a STAP-A (§5.7.1), in an FU-A start fragment (§5.8).
/// Expected values were checked against ffmpeg's trace_headers.
@Suite struct CodecH264SPSTests {
    /// What one capture's SPS states.
    struct Expected: Sendable, CustomTestStringConvertible {
        let path: String
        let profile: UInt8
        let chroma: UInt8
        let frameMBsOnly: Bool
        let coded: (Int, Int)
        let size: VideoDimensions
        var testDescription: String { path }

        init(
            _ path: String, _ profile: UInt8, _ chroma: UInt8, _ frameMBsOnly: Bool, _ coded: (Int, Int),
            _ size: (UInt16, UInt16)
        ) {
            (self.path, self.profile, self.chroma, self.frameMBsOnly) = (path, profile, chroma, frameMBsOnly)
            self.coded = coded
            self.size = VideoDimensions(width: size.0, height: size.1)
        }
    }

    /// x264 through ffmpeg's RTP muxer (scripts/fixtures/make-codec-captures.sh).
    static let x264Fixtures: [Expected] = [
        Expected("rtp/h264.rtp", 66, 1, true, (320, 240), (320, 240)),
        Expected("codecs/h264-baseline-1280x720.rtp", 66, 1, true, (1280, 720), (1280, 720)),
        // 180 rows are 11.25 macroblocks: coded as 12 (192 rows), cropped by 6 × CropUnitY 2.
        Expected("codecs/h264-baseline-320x180.rtp", 66, 1, true, (320, 192), (320, 180)),
        Expected("codecs/h264-high-1920x1080.rtp", 100, 1, true, (1920, 1088), (1920, 1080)),
        // Field coding: 12 map units of two macroblock rows (384), cropped by 6 × CropUnitY 4.
        Expected("codecs/h264-high-interlaced-640x360.rtp", 100, 1, false, (640, 384), (640, 360)),
        // 4:2:2 and 4:4:4 have CropUnitY 1: cropped by 8 rows, offset 8.
        Expected("codecs/h264-high422-640x360.rtp", 122, 2, true, (640, 368), (640, 360)),
        Expected("codecs/h264-high444-640x360.rtp", 244, 3, true, (640, 368), (640, 360)),
        // Monochrome (chroma_format_idc 0, ChromaArrayType 0): CropUnitY 1, offset 12.
        Expected("codecs/h264-high-gray-320x180.rtp", 100, 0, true, (320, 192), (320, 180)),
    ]

    /// Every key frame's first packet (ffmpeg's STAP-A of SPS, PPS...) gives the SPS; no other
    /// packet does.
    @Test(arguments: x264Fixtures)
    func x264Captures(expected: Expected) throws {
        let frames = CodecCapture.frames(try CodecCapture.packets(expected.path))
        for (index, frame) in frames.enumerated() {
            for (position, packet) in frame.enumerated() {
                let sps = try withPayload(packet.payload) { bytes in
                    try H264Payload(parsing: bytes).sequenceParameterSet(in: bytes)
                }
                #expect((sps != nil) == (position == 0 && index % 10 == 0), "\(expected.path) frame \(index)")
                guard let sps else { continue }
                #expect(sps.profileIDC == expected.profile)
                #expect(sps.chromaFormatIDC == expected.chroma)
                #expect(sps.isFrameMBsOnly == expected.frameMBsOnly)
                #expect(sps.codedWidth == expected.coded.0 && sps.codedHeight == expected.coded.1)
                #expect(sps.dimensions == expected.size)
                #expect(sps.lumaBitDepth == 8 && sps.chromaBitDepth == 8 && !sps.hasSeparateColourPlanes)
            }
        }
    }

    /// Chromium's own encoder (OpenH264 through WebCodecs, scripts/fixtures/chromium_keyframes.sh):
    /// constrained baseline (profile 66, constraint_set0 and 1), with a VUI after the cropping.
    @Test(arguments: [(320, 180, 20), (640, 360, 30), (1280, 720, 31)])
    func chromiumKeyFrames(width: Int, height: Int, level: Int) throws {
        let units = try CodecCapture.nalUnits("codecs/chromium-h264-\(width)x\(height).h264")
        let types = units.map { $0[0] & 0x1F }
        // SPS, PPS, then the IDR picture's slices (OpenH264 cuts 1280x720 in two).
        #expect(types.prefix(2) == [7, 8] && types.count > 2 && types.dropFirst(2).allSatisfy { $0 == 5 })
        let sps = try #require(try withPayload(units[0]) { try H264SequenceParameterSet(parsing: $0) })
        #expect(sps.profileIDC == 66 && sps.constraintFlags == 0xC0 && sps.levelIDC == UInt8(level))
        #expect(sps.dimensions == VideoDimensions(width: UInt16(width), height: UInt16(height)))
        #expect(sps.codedHeight == (height + 15) / 16 * 16)
        #expect(try withPayload(units[1]) { try H264SequenceParameterSet(parsing: $0) } == nil)  // a PPS
    }

    /// The same SPS is found whichever way RFC 6184 carries it, the way Chromium's packetizer
    /// does: STAP-A [SPS, PPS] or [SPS, PPS, IDR], a lone NAL unit, or an FU-A whose start
    /// fragment holds it. Packets without an SPS give nil.
    @Test func everyPacketizationGivesTheSameSPS() throws {
        let units = try CodecCapture.nalUnits("codecs/chromium-h264-320x180.h264")
        let (sps, pps, idr) = (units[0], units[1], units[2])
        let expected = try #require(try withPayload(sps) { try H264SequenceParameterSet(parsing: $0) })

        func stapA(_ units: [[UInt8]]) -> [UInt8] {
            // §5.7.1: F is the OR and NRI the maximum of the units'; type 24.
            let indicator: UInt8 = (units.map { $0[0] & 0xE0 }.max() ?? 0) | 24
            var bytes = [indicator]
            for unit in units {
                bytes += [UInt8(unit.count >> 8), UInt8(unit.count & 0xFF)]
                bytes += unit
            }
            return bytes
        }
        func fuA(_ unit: [UInt8], from: Int, to: Int) -> [UInt8] {
            // §5.8: FU indicator (F, NRI, 28), FU header (S, E, R, type), then the bytes after
            // the NAL unit header.
            // S and E are never both set: a NAL unit that fits one packet is not fragmented.
            let start: UInt8 = from == 1 ? 0x80 : 0
            let end: UInt8 = to == unit.count && from != 1 ? 0x40 : 0
            let header: [UInt8] = [unit[0] & 0xE0 | 28, start | end | unit[0] & 0x1F]
            return header + unit[from..<to]
        }

        // The start fragment below holds all but the SPS's last byte, which is in its VUI.
        let carriers = [stapA([sps, pps]), stapA([sps, pps, idr]), sps, fuA(sps, from: 1, to: sps.count - 1)]
        for payload in carriers {
            let found = try withPayload(payload) { try H264Payload(parsing: $0).sequenceParameterSet(in: $0) }
            #expect(found == expected)
        }
        let noSPS = [pps, idr, stapA([pps, idr]), fuA(idr, from: 1, to: 100), fuA(idr, from: 100, to: idr.count)]
        for payload in noSPS {
            #expect(try withPayload(payload) { try H264Payload(parsing: $0).sequenceParameterSet(in: $0) } == nil)
        }
        // An SPS split over two FU-As: the start fragment ends before the picture size.
        #expect(throws: CodecPayloadError.h264SPSTruncated) {
            try withPayload(fuA(sps, from: 1, to: 6)) { try H264Payload(parsing: $0).sequenceParameterSet(in: $0) }
        }
        #expect(
            try withPayload(fuA(sps, from: 6, to: sps.count)) {
                try H264Payload(parsing: $0).sequenceParameterSet(in: $0)
            } == nil)
    }

    /// Cutting an SPS anywhere either throws "truncated" or, once the cropping fields are in,
    /// gives the whole SPS's answer: the parser reads nothing past them (the VUI may be cut).
    @Test func everyPrefixIsTruncatedOrComplete() throws {
        let sps = try CodecCapture.nalUnits("codecs/chromium-h264-1280x720.h264")[0]
        let full = try #require(try withPayload(sps) { try H264SequenceParameterSet(parsing: $0) })
        var firstComplete: Int?
        for length in 1...sps.count {
            do {
                let parsed = try withPayload(Array(sps.prefix(length))) { try H264SequenceParameterSet(parsing: $0) }
                #expect(parsed == full, "length \(length)")
                if firstComplete == nil { firstComplete = length }
            } catch {
                #expect(error as? CodecPayloadError == .h264SPSTruncated, "length \(length)")
                #expect(firstComplete == nil, "length \(length) failed after a shorter prefix parsed")
            }
        }
        // 67 42c01f 8c 8d 40 28 02 dd: the fields through frame_cropping_flag end in the tenth
        // byte (dd: frame_mbs_only, direct_8x8_inference, frame_cropping, then the VUI flag).
        #expect(firstComplete == 10)
        #expect(throws: CodecPayloadError.h264PayloadMissing) {
            try withPayload([]) { try H264SequenceParameterSet(parsing: $0) }
        }
    }
}
