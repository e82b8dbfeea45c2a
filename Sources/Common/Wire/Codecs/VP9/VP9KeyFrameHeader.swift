/// The start of a VP9 key frame's uncompressed header (VP9 Bitstream Specification §6.2), up to
/// and including its frame size:
///
/// ```
/// frame_marker(2)=2 profile_low_bit(1) profile_high_bit(1) [reserved_zero(1), profile 3]
/// show_existing_frame(1)=0 frame_type(1)=KEY_FRAME show_frame(1) error_resilient_mode(1)
/// frame_sync_code(24)=0x498342
/// color_config: [ten_or_twelve_bit(1), profile>=2] color_space(3)
///               if color_space != CS_RGB: color_range(1) [subsampling_x(1) subsampling_y(1)
///                                                         reserved_zero(1), profile 1 or 3]
///               else:                     [reserved_zero(1), profile 1 or 3]
/// frame_size:   frame_width_minus_1(16) frame_height_minus_1(16)
/// ```
///
/// Only key frames carry all of this: an intra-only frame (frame_type=NON_KEY with
/// intra_only=1) also restarts prediction but keeps the reference slots, so an SFU must not
/// switch onto it, and parsing returns `nil` for it as for every other non-key frame. The
/// render size that follows (§6.2.4) is a display hint and is not read. Reading is bit by bit
/// in place and allocates nothing.
public struct VP9KeyFrameHeader: Equatable, Sendable {
    /// The profile (0–3): 0 is 8-bit 4:2:0, 1 adds other subsamplings, 2 and 3 add 10/12 bits.
    public let profile: UInt8
    /// show_frame: whether the decoder shows this frame (a hidden key frame is rare but legal).
    public let showFrame: Bool
    /// error_resilient_mode.
    public let isErrorResilient: Bool
    /// The bit depth: 8 in profiles 0 and 1, 10 or 12 in profiles 2 and 3.
    public let bitDepth: UInt8
    /// color_space (§7.2.2): 0 unknown, 1 BT.601, 2 BT.709, 3 SMPTE-170, 4 SMPTE-240,
    /// 5 BT.2020, 6 reserved, 7 sRGB (CS_RGB).
    public let colorSpace: UInt8
    /// color_range: full swing (studio swing when false); always true for sRGB.
    public let isFullRange: Bool
    /// subsampling_x: chroma has half the luma width.
    public let subsamplingX: Bool
    /// subsampling_y: chroma has half the luma height.
    public let subsamplingY: Bool
    /// The frame width in pixels (frame_width_minus_1 + 1).
    public let width: UInt16
    /// The frame height in pixels (frame_height_minus_1 + 1).
    public let height: UInt16

    /// The coded frame size.
    public var dimensions: VideoDimensions { VideoDimensions(width: width, height: height) }

    /// CS_RGB (§7.2.2).
    static let colorSpaceRGB: UInt8 = 7

    /// Parses the uncompressed header at the start of `frame` (the VP9 payload after the RTP
    /// payload descriptor of a packet with B=1); `nil` when the frame is not a key frame
    /// (an inter or intra-only frame, or one that only re-shows an earlier frame).
    public init?(parsing frame: UnsafeRawBufferPointer) throws(CodecPayloadError) {
        var reader = CodecBitReader(frame, truncated: .vp9UncompressedHeaderTruncated)
        guard try reader.bits(2) == 2 else { throw .vp9FrameMarkerInvalid }
        let profileLow = try reader.bits(1)
        profile = UInt8(try reader.bits(1) << 1 | profileLow)
        if profile == 3, try reader.bit() { throw .vp9ReservedBitSet }
        guard try !reader.bit() else { return nil }  // show_existing_frame
        guard try !reader.bit() else { return nil }  // frame_type: KEY_FRAME is 0
        showFrame = try reader.bit()
        isErrorResilient = try reader.bit()
        guard try reader.bits(24) == 0x49_8342 else { throw .vp9FrameSyncCodeInvalid }

        // color_config (§6.2.2).
        bitDepth = profile >= 2 ? (try reader.bit() ? 12 : 10) : 8
        colorSpace = UInt8(try reader.bits(3))
        let allowsOtherSubsampling = profile == 1 || profile == 3
        if colorSpace != Self.colorSpaceRGB {
            isFullRange = try reader.bit()
            if allowsOtherSubsampling {
                subsamplingX = try reader.bit()
                subsamplingY = try reader.bit()
                if try reader.bit() { throw .vp9ReservedBitSet }
                // 4:2:0 belongs to profiles 0 and 2 (§7.2.2); libvpx refuses it here.
                guard !(subsamplingX && subsamplingY) else { throw .vp9ColorConfigInvalid }
            } else {
                subsamplingX = true
                subsamplingY = true
            }
        } else {
            // RGB is 4:4:4, which only profiles 1 and 3 carry.
            guard allowsOtherSubsampling else { throw .vp9ColorConfigInvalid }
            isFullRange = true
            subsamplingX = false
            subsamplingY = false
            if try reader.bit() { throw .vp9ReservedBitSet }
        }

        // frame_size (§6.2.3).
        let widthMinus1 = try reader.bits(16)
        let heightMinus1 = try reader.bits(16)
        guard widthMinus1 < 0xFFFF, heightMinus1 < 0xFFFF else { throw .vp9FrameSizeTooLarge }
        width = UInt16(widthMinus1 + 1)
        height = UInt16(heightMinus1 + 1)
    }
}
