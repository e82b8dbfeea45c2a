import MeshWire
import Testing

/// Hand-made sequence parameter sets for what no capture here exercises: scaling matrices
/// (§7.3.2.1.1.1; x264 sends its matrices in the PPS), 4:4:4 with separate colour planes,
/// pic_order_cnt_type 1, emulation prevention (§7.4.1), and every range check of §7.4.2.1.1.
@Suite struct CodecH264SPSFieldTests {
    /// The fields of seq_parameter_set_data() (§7.3.2.1.1) in order, with a test's defaults:
    /// a high profile 1280x720 SPS with no VUI.
    struct Fields {
        var profile: UInt64 = 100
        var id: UInt64 = 0
        var chroma: UInt64 = 1
        var separatePlanes = false
        var lumaDepthMinus8: UInt64 = 0
        /// nil: no matrix; else one entry per list, nil when the list is absent, else its deltas.
        var scalingLists: [[Int64]?]?
        var log2MaxFrameNumMinus4: UInt64 = 0
        var pocType: UInt64 = 2
        var pocOffsets: (nonRef: Int64, topToBottom: Int64, cycle: [Int64]) = (0, 0, [])
        var maxRefFrames: UInt64 = 1
        var widthMBsMinus1: UInt64 = 79
        var heightMapUnitsMinus1: UInt64 = 44
        var frameMBsOnly = true
        var crop: (left: UInt64, right: UInt64, top: UInt64, bottom: UInt64)?

        /// The RBSP, trailing bits included.
        var rbsp: [UInt8] {
            var w = CodecBitWriter()
            w.bits(profile, 8)
            w.bits(0, 8)  // constraint flags
            w.bits(40, 8)  // level_idc
            w.ue(id)
            if profile == 100 || profile == 244 {
                w.ue(chroma)
                if chroma == 3 { w.flag(separatePlanes) }
                w.ue(lumaDepthMinus8)
                w.ue(0)  // bit_depth_chroma_minus8
                w.flag(false)  // qpprime_y_zero_transform_bypass_flag
                w.flag(scalingLists != nil)
                for list in scalingLists ?? [] {
                    w.flag(list != nil)
                    for delta in list ?? [] { w.se(delta) }
                }
            }
            w.ue(log2MaxFrameNumMinus4)
            w.ue(pocType)
            if pocType == 0 { w.ue(0) }
            if pocType == 1 {
                w.flag(false)
                w.se(pocOffsets.nonRef)
                w.se(pocOffsets.topToBottom)
                w.ue(UInt64(pocOffsets.cycle.count))
                for offset in pocOffsets.cycle { w.se(offset) }
            }
            w.ue(maxRefFrames)
            w.flag(false)  // gaps_in_frame_num_value_allowed_flag
            w.ue(widthMBsMinus1)
            w.ue(heightMapUnitsMinus1)
            w.flag(frameMBsOnly)
            if !frameMBsOnly { w.flag(false) }
            w.flag(true)  // direct_8x8_inference_flag
            w.flag(crop != nil)
            if let crop {
                for offset in [crop.left, crop.right, crop.top, crop.bottom] { w.ue(offset) }
            }
            w.flag(false)  // vui_parameters_present_flag
            w.trailingBits()
            return w.bytes
        }

        /// The NAL unit: header (NRI 3, type 7), then the escaped RBSP.
        var nalUnit: [UInt8] { [0x67] + CodecBitWriter.escaped(rbsp) }

        func parse() throws -> H264SequenceParameterSet? {
            try withPayload(nalUnit) { try H264SequenceParameterSet(parsing: $0) }
        }
    }

    /// §7.3.2.1.1.1: a list sent in full (16 deltas), one that switches to "use default" with
    /// its first delta (next scale 0), one that stops half way, and an 8×8 list in full; a
    /// wrong count of bits skipped would shift every field after it.
    @Test func scalingListsAreSkipped() throws {
        var fields = Fields()
        let full4x4 = [Int64](repeating: 1, count: 16)  // 9, 10, ... 24
        let useDefault: [Int64] = [-8]  // 8 - 8 = 0 at j = 0
        let stopsAtFive: [Int64] = [4, 4, -2, 3, -17]  // 12, 16, 14, 17, then 0: the rest repeat 17
        // The extremes of delta_scale, cycling 8 → 135 → 7 → 8 without reaching 0.
        let full8x8 = (0..<64).map { [Int64(127), -128, 1][$0 % 3] }
        fields.scalingLists = [full4x4, nil, useDefault, stopsAtFive, nil, nil, full8x8, nil]
        let sps = try #require(try fields.parse())
        #expect(sps.dimensions == VideoDimensions(width: 1280, height: 720))
    }

    /// 4:4:4 has 12 lists (§7.3.2.1.1); with separate colour planes ChromaArrayType is 0, so the
    /// crop unit is one pixel both ways (§7.4.2.1.1).
    @Test func separateColourPlanes() throws {
        var fields = Fields()
        fields.profile = 244
        fields.chroma = 3
        fields.separatePlanes = true
        fields.lumaDepthMinus8 = 2
        fields.scalingLists = [nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, [5, -3, -10]]
        fields.crop = (left: 1, right: 2, top: 3, bottom: 4)
        let sps = try #require(try fields.parse())
        #expect(sps.chromaFormatIDC == 3 && sps.hasSeparateColourPlanes && sps.lumaBitDepth == 10)
        #expect(sps.dimensions == VideoDimensions(width: 1277, height: 713))
    }

    /// pic_order_cnt_type 1 (§7.3.2.1.1) with large offsets, whose long runs of zero bits make
    /// the encoder insert emulation prevention bytes (§7.4.1) that the reader must skip.
    @Test func orderCountCycleAndEmulationPrevention() throws {
        var fields = Fields()
        fields.profile = 66
        fields.pocType = 1
        fields.pocOffsets = (nonRef: -(1 << 30), topToBottom: 1 << 30, cycle: [0, 1 << 29, -5])
        fields.crop = (left: 0, right: 0, top: 0, bottom: 4)
        #expect(fields.nalUnit.count > fields.rbsp.count + 1)  // escaping added bytes
        let sps = try #require(try fields.parse())
        #expect(sps.dimensions == VideoDimensions(width: 1280, height: 712))
        #expect(sps.profileIDC == 66 && sps.chromaFormatIDC == 1)  // implied 4:2:0
    }

    /// §7.4.2.1.1 ranges; each out-of-range value throws instead of steering a loop or a size.
    @Test func outOfRangeValuesThrow() throws {
        var cases: [Fields] = []
        var fields = Fields()
        fields.id = 32
        cases.append(fields)
        fields = Fields()
        fields.id = 0xFFFF_FFFF  // ue(v) of 65 bits: 32 leading zeros
        cases.append(fields)
        fields = Fields()
        fields.chroma = 4
        cases.append(fields)
        fields = Fields()
        fields.lumaDepthMinus8 = 7
        cases.append(fields)
        fields = Fields()
        fields.scalingLists = [[128], nil, nil, nil, nil, nil, nil, nil]  // delta_scale is −128...127
        cases.append(fields)
        fields = Fields()
        fields.log2MaxFrameNumMinus4 = 13
        cases.append(fields)
        fields = Fields()
        fields.pocType = 3
        cases.append(fields)
        fields = Fields()
        fields.pocType = 1
        fields.pocOffsets.cycle = [Int64](repeating: 0, count: 256)
        cases.append(fields)
        fields = Fields()
        fields.maxRefFrames = 17
        cases.append(fields)
        for (index, fields) in cases.enumerated() {
            #expect(throws: CodecPayloadError.h264SPSValueOutOfRange, "case \(index)") { try fields.parse() }
        }
    }

    /// §7.4.2.1.1: the cropping window must leave a picture, and the picture must fit 16 bits.
    @Test func impossibleSizesThrow() throws {
        var widest = Fields()
        widest.widthMBsMinus1 = 4094  // 4095 macroblocks: 65520 pixels
        #expect(try widest.parse()?.width == 65520)
        var tooWide = Fields()
        tooWide.widthMBsMinus1 = 4095  // 65536 pixels
        var croppedAway = Fields()
        croppedAway.crop = (left: 320, right: 320, top: 0, bottom: 0)  // 2 × 640 of 1280
        var croppedTooFar = Fields()
        croppedTooFar.crop = (left: 0, right: 0, top: 0, bottom: 0xFFFF_FFFE)
        for fields in [tooWide, croppedAway, croppedTooFar] {
            #expect(throws: CodecPayloadError.h264SPSSizeInvalid) { try fields.parse() }
        }
    }

    /// RFC 6184 §5.3: a NAL unit with forbidden_zero_bit set is refused; other types are not an
    /// SPS (nil), wherever they come from.
    @Test func headerChecks() throws {
        var forbidden = Fields().nalUnit
        forbidden[0] |= 0x80
        #expect(throws: CodecPayloadError.h264ForbiddenBitSet) {
            try withPayload(forbidden) { try H264SequenceParameterSet(parsing: $0) }
        }
        var pps = Fields().nalUnit
        pps[0] = 0x68
        #expect(try withPayload(pps) { try H264SequenceParameterSet(parsing: $0) } == nil)
        // An FU-A start fragment of an SPS with F set in the FU indicator.
        let fragment: [UInt8] = [0x80 | 0x60 | 28, 0x80 | 7] + Fields().nalUnit.dropFirst()
        #expect(throws: CodecPayloadError.h264ForbiddenBitSet) {
            try withPayload(fragment) { try H264Payload(parsing: $0).sequenceParameterSet(in: $0) }
        }
    }
}
