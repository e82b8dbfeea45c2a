/// An H.264 sequence parameter set (ITU-T H.264 §7.3.2.1.1) read as far as the picture size:
/// profile and level, chroma format and bit depths (high profiles), the picture size in
/// macroblocks, frame_mbs_only_flag and the frame cropping window. The VUI that follows is
/// not read.
///
/// The NAL unit is read in place: Exp-Golomb codes bit by bit and emulation prevention bytes
/// (§7.4.1) skipped as they come, so parsing allocates nothing. Every field is checked against
/// its range in §7.4.2.1.1, which also bounds every loop (scaling lists, the picture order
/// count cycle) by the spec's limits rather than by the input.
///
/// ``width`` and ``height`` are the displayed size (§7.4.2.1.1, frame_crop_*_offset): an
/// encoder codes whole 16×16 macroblocks, so 1920×1080 is sent as 1920×1088 cropped by 8 rows,
/// and 320×180 as 320×192 cropped by 12.
public struct H264SequenceParameterSet: Equatable, Sendable {
    /// profile_idc: 66 baseline, 77 main, 100 high, 110 high 10, 122 high 4:2:2, 244 high 4:4:4...
    public let profileIDC: UInt8
    /// constraint_set0_flag to constraint_set5_flag (top six bits) and two reserved zero bits;
    /// profile 66 with constraint_set1 is constrained baseline (§A.2.1.1).
    public let constraintFlags: UInt8
    /// level_idc: ten times the level (31 is level 3.1).
    public let levelIDC: UInt8
    /// seq_parameter_set_id (0–31).
    public let id: UInt8
    /// chroma_format_idc: 0 monochrome, 1 4:2:0 (also when absent), 2 4:2:2, 3 4:4:4.
    public let chromaFormatIDC: UInt8
    /// separate_colour_plane_flag: 4:4:4 coded as three monochrome planes.
    public let hasSeparateColourPlanes: Bool
    /// BitDepthY: 8 + bit_depth_luma_minus8 (8–14).
    public let lumaBitDepth: UInt8
    /// BitDepthC: 8 + bit_depth_chroma_minus8 (8–14).
    public let chromaBitDepth: UInt8
    /// frame_mbs_only_flag: every picture is a frame; when false, pictures may be fields and
    /// the height counts map units of two macroblock rows.
    public let isFrameMBsOnly: Bool
    /// The coded width in pixels: (pic_width_in_mbs_minus1 + 1) × 16.
    public let codedWidth: Int
    /// The coded height in pixels: FrameHeightInMbs × 16, FrameHeightInMbs being
    /// (2 − frame_mbs_only_flag) × (pic_height_in_map_units_minus1 + 1).
    public let codedHeight: Int
    /// The width in pixels after frame cropping (never 0).
    public let width: UInt16
    /// The height in pixels after frame cropping (never 0).
    public let height: UInt16

    /// The displayed picture size.
    public var dimensions: VideoDimensions { VideoDimensions(width: width, height: height) }

    /// Parses the NAL unit at the start of `nalUnit` (header byte first); `nil` when it is not
    /// a sequence parameter set (type 7).
    public init?(parsing nalUnit: UnsafeRawBufferPointer) throws(CodecPayloadError) {
        guard let first = nalUnit.first else { throw .h264PayloadMissing }
        let header = H264NALUnitHeader(first)
        guard header.unitType == .sequenceParameterSet else { return nil }
        guard !header.forbiddenBit else { throw .h264ForbiddenBitSet }
        try self.init(parsingBody: UnsafeRawBufferPointer(rebasing: nalUnit[1...]))
    }

    /// Parses the bytes after an SPS NAL unit header (how an FU-A carries them, RFC 6184 §5.8).
    init(parsingBody body: UnsafeRawBufferPointer) throws(CodecPayloadError) {
        var reader = CodecBitReader(body, truncated: .h264SPSTruncated, removesEmulationPrevention: true)
        profileIDC = UInt8(try reader.bits(8))
        constraintFlags = UInt8(try reader.bits(8))
        levelIDC = UInt8(try reader.bits(8))
        id = UInt8(try Self.unsigned(&reader, upTo: 31))

        var chroma = Chroma()
        if Self.carriesChromaInfo(profileIDC) {
            chroma = try Chroma(reading: &reader)
        }
        chromaFormatIDC = chroma.formatIDC
        hasSeparateColourPlanes = chroma.hasSeparatePlanes
        lumaBitDepth = chroma.lumaBitDepth
        chromaBitDepth = chroma.chromaBitDepth

        try Self.skipFrameNumberAndOrderCount(&reader)

        _ = try Self.unsigned(&reader, upTo: 16)  // max_num_ref_frames (MaxDpbFrames ≤ 16, §A.3.1)
        _ = try reader.bit()  // gaps_in_frame_num_value_allowed_flag
        let widthInMBs = Int64(try Self.unsigned(&reader)) + 1
        let heightInMapUnits = Int64(try Self.unsigned(&reader)) + 1
        isFrameMBsOnly = try reader.bit()
        if !isFrameMBsOnly { _ = try reader.bit() }  // mb_adaptive_frame_field_flag
        _ = try reader.bit()  // direct_8x8_inference_flag

        let fullWidth = widthInMBs * 16
        let fullHeight = (isFrameMBsOnly ? 1 : 2) * heightInMapUnits * 16
        var cropX: Int64 = 0
        var cropY: Int64 = 0
        if try reader.bit() {  // frame_cropping_flag
            // CropUnitX and CropUnitY (§7.4.2.1.1, equations 7-19 to 7-22).
            let chromaArrayType = hasSeparateColourPlanes ? 0 : chromaFormatIDC
            let unitX: Int64 = chromaArrayType == 0 || chromaArrayType == 3 ? 1 : 2
            let unitY: Int64 = (chromaArrayType == 1 ? 2 : 1) * (isFrameMBsOnly ? 1 : 2)
            let left = Int64(try Self.unsigned(&reader))
            let right = Int64(try Self.unsigned(&reader))
            let top = Int64(try Self.unsigned(&reader))
            let bottom = Int64(try Self.unsigned(&reader))
            cropX = unitX * (left + right)
            cropY = unitY * (top + bottom)
        }
        let croppedWidth = fullWidth - cropX
        let croppedHeight = fullHeight - cropY
        guard croppedWidth > 0, croppedHeight > 0, croppedWidth <= Int64(UInt16.max),
            croppedHeight <= Int64(UInt16.max)
        else { throw .h264SPSSizeInvalid }
        codedWidth = Int(fullWidth)
        codedHeight = Int(fullHeight)
        width = UInt16(croppedWidth)
        height = UInt16(croppedHeight)
    }

    /// Whether an SPS of this profile carries chroma_format_idc, bit depths and scaling
    /// matrices (§7.3.2.1.1: the `if (profile_idc == 100 || ...)` list).
    static func carriesChromaInfo(_ profileIDC: UInt8) -> Bool {
        switch profileIDC {
        case 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135: true
        default: false
        }
    }

    /// Reads `ue(v)`, throwing when it exceeds `limit` (the field's range in §7.4.2.1.1).
    static func unsigned(_ reader: inout CodecBitReader, upTo limit: UInt32 = .max) throws(CodecPayloadError) -> UInt32
    {
        let value = try reader.unsignedExpGolomb(invalid: .h264SPSValueOutOfRange)
        guard value <= limit else { throw .h264SPSValueOutOfRange }
        return value
    }

    /// Skips log2_max_frame_num_minus4 through the picture order count fields (§7.3.2.1.1),
    /// checking each range; the type-1 cycle has at most 255 entries.
    static func skipFrameNumberAndOrderCount(_ reader: inout CodecBitReader) throws(CodecPayloadError) {
        _ = try unsigned(&reader, upTo: 12)  // log2_max_frame_num_minus4
        switch try unsigned(&reader, upTo: 2) {  // pic_order_cnt_type
        case 0:
            _ = try unsigned(&reader, upTo: 12)  // log2_max_pic_order_cnt_lsb_minus4
        case 1:
            _ = try reader.bit()  // delta_pic_order_always_zero_flag
            // offset_for_non_ref_pic, offset_for_top_to_bottom_field: se(v) of at most 32 bits
            // already lies in −2^31+1 ... 2^31−1, their range.
            _ = try reader.signedExpGolomb(invalid: .h264SPSValueOutOfRange)
            _ = try reader.signedExpGolomb(invalid: .h264SPSValueOutOfRange)
            let cycle = try unsigned(&reader, upTo: 255)  // num_ref_frames_in_pic_order_cnt_cycle
            for _ in 0..<cycle {
                _ = try reader.signedExpGolomb(invalid: .h264SPSValueOutOfRange)  // offset_for_ref_frame
            }
        default:
            break
        }
    }
}
