/// What a VP8 key frame states after its 3-byte frame tag (RFC 6386 §9.1): the start code
/// 0x9d 0x01 0x2a, then width and height as 16-bit little-endian fields whose low 14 bits are
/// the size in pixels and whose top 2 bits are an upscaling hint.
///
/// ```
///  frame tag (3)  | 9d 01 2a | width: size(14) scale(2) | height: size(14) scale(2) |
/// ```
///
/// The size is the coded frame's; the scale only asks the display to upscale it (0: none,
/// 1: 5/4, 2: 5/3, 3: 2) and does not change what the stream carries. Parsing reads 10 bytes
/// in place and allocates nothing.
public struct VP8KeyFrameHeader: Equatable, Sendable {
    /// The frame width in pixels (14 bits, never 0).
    public let width: UInt16
    /// The horizontal upscaling hint (2 bits).
    public let horizontalScale: UInt8
    /// The frame height in pixels (14 bits, never 0).
    public let height: UInt16
    /// The vertical upscaling hint (2 bits).
    public let verticalScale: UInt8

    /// The coded frame size.
    public var dimensions: VideoDimensions { VideoDimensions(width: width, height: height) }

    /// Parses the header of the VP8 frame at the start of `frame` (the VP8 payload after the
    /// RTP payload descriptor of the packet that starts partition 0); `nil` for an inter frame,
    /// whose tag has the key frame bit (inverted, RFC 6386 §9.1) set.
    public init?(parsing frame: UnsafeRawBufferPointer) throws(CodecPayloadError) {
        guard frame.count >= 3 else { throw .vp8PayloadHeaderTruncated }
        guard frame[0] & 0x01 == 0 else { return nil }
        try self.init(parsingAfterFrameTag: UnsafeRawBufferPointer(rebasing: frame[3...]))
    }

    /// Parses the start code and sizes at the start of `bytes`, which follow a key frame's tag.
    init(parsingAfterFrameTag bytes: UnsafeRawBufferPointer) throws(CodecPayloadError) {
        var reader = ByteReader(bytes)
        guard let startCode = reader.readUInt24(), let widthField = reader.readUInt16(),
            let heightField = reader.readUInt16()
        else { throw .vp8KeyFrameHeaderTruncated }
        guard startCode == 0x9D012A else { throw .vp8StartCodeInvalid }
        // The fields are little-endian; ByteReader reads big-endian.
        let widthCode = widthField.byteSwapped
        let heightCode = heightField.byteSwapped
        width = widthCode & 0x3FFF
        horizontalScale = UInt8(widthCode >> 14)
        height = heightCode & 0x3FFF
        verticalScale = UInt8(heightCode >> 14)
        // libvpx refuses such a frame ("Invalid frame width/height"); nothing can be shown.
        guard width > 0, height > 0 else { throw .vp8FrameSizeZero }
    }
}
