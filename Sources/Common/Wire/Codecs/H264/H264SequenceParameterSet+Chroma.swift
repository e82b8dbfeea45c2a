extension H264SequenceParameterSet {
    /// The high profiles' chroma and bit depth fields and their scaling matrices
    /// (§7.3.2.1.1), with the values other profiles imply when they are absent.
    struct Chroma {
        /// chroma_format_idc, 1 (4:2:0) when absent.
        var formatIDC: UInt8 = 1
        /// separate_colour_plane_flag.
        var hasSeparatePlanes = false
        /// 8 + bit_depth_luma_minus8.
        var lumaBitDepth: UInt8 = 8
        /// 8 + bit_depth_chroma_minus8.
        var chromaBitDepth: UInt8 = 8

        /// The implied values (profiles without these fields).
        init() {}

        /// Reads chroma_format_idc through seq_scaling_matrix_present_flag and skips the
        /// scaling lists.
        init(reading reader: inout CodecBitReader) throws(CodecPayloadError) {
            formatIDC = UInt8(try H264SequenceParameterSet.unsigned(&reader, upTo: 3))
            if formatIDC == 3 { hasSeparatePlanes = try reader.bit() }
            lumaBitDepth = 8 + UInt8(try H264SequenceParameterSet.unsigned(&reader, upTo: 6))
            chromaBitDepth = 8 + UInt8(try H264SequenceParameterSet.unsigned(&reader, upTo: 6))
            _ = try reader.bit()  // qpprime_y_zero_transform_bypass_flag
            if try reader.bit() {  // seq_scaling_matrix_present_flag
                let lists = formatIDC == 3 ? 12 : 8
                for index in 0..<lists where try reader.bit() {  // seq_scaling_list_present_flag
                    try Self.skipScalingList(&reader, size: index < 6 ? 16 : 64)
                }
            }
        }

        /// Skips one scaling_list() (§7.3.2.1.1.1): delta-coded entries until one makes the
        /// next scale 0, after which the rest repeat the last value and are not sent.
        static func skipScalingList(_ reader: inout CodecBitReader, size: Int) throws(CodecPayloadError) {
            var lastScale: Int64 = 8
            var nextScale: Int64 = 8
            for _ in 0..<size where nextScale != 0 {
                let delta = try reader.signedExpGolomb(invalid: .h264SPSValueOutOfRange)
                guard delta >= -128 && delta <= 127 else { throw .h264SPSValueOutOfRange }  // §7.4.2.1.1.1
                nextScale = (lastScale + delta + 256) % 256
                lastScale = nextScale == 0 ? lastScale : nextScale
            }
        }
    }
}
