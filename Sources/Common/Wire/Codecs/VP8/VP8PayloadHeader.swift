/// The VP8 payload header at the start of partition 0 (RFC 7741 §4.3), which is the start of
/// the VP8 frame tag (RFC 6386 §9.1).
///
/// ```
///  0 1 2 3 4 5 6 7
/// +-+-+-+-+-+-+-+-+
/// |Size0|H| VER |P|
/// +-+-+-+-+-+-+-+-+
/// |     Size1     |
/// +-+-+-+-+-+-+-+-+
/// |     Size2     |
/// +-+-+-+-+-+-+-+-+
/// ```
public struct VP8PayloadHeader: Equatable, Sendable {
    /// P inverted: a key frame (P=0) can be decoded without any earlier frame.
    public let isKeyFrame: Bool
    /// VER: the VP8 version (reconstruction filter and loop filter type, RFC 6386 §9.1).
    public let version: UInt8
    /// H: whether the decoder shows this frame.
    public let showFrame: Bool
    /// The size of the first partition in bytes: Size0 + 8 × Size1 + 2048 × Size2.
    public let firstPartitionSize: UInt32
    /// What a key frame states after the tag (start code, width, height, RFC 6386 §9.1) when
    /// this packet holds those bytes and they are valid; `nil` for inter frames.
    public let keyFrameHeader: VP8KeyFrameHeader?
    /// The frame width in pixels from a key frame's start code block (RFC 6386 §9.1), when the
    /// packet holds a valid one; `nil` for delta frames or when the bytes are not in this packet.
    public var keyFrameWidth: UInt16? { keyFrameHeader?.width }
    /// The frame height in pixels, on the same terms as `keyFrameWidth`.
    public var keyFrameHeight: UInt16? { keyFrameHeader?.height }

    /// Parses the header at the start of `bytes`, the VP8 payload of a packet with S=1, PID=0.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(CodecPayloadError) {
        var reader = ByteReader(bytes)
        guard let size0 = reader.readUInt8(), let size1 = reader.readUInt8(), let size2 = reader.readUInt8()
        else { throw .vp8PayloadHeaderTruncated }
        isKeyFrame = size0 & 0x01 == 0
        version = (size0 >> 1) & 0x07
        showFrame = size0 & 0x10 != 0
        firstPartitionSize = UInt32(size0 >> 5) | UInt32(size1) << 3 | UInt32(size2) << 11
        // A short or damaged first packet still tells a key frame (P=0) from an inter frame;
        // only its size is then unknown.
        let rest = UnsafeRawBufferPointer(rebasing: bytes[reader.offset...])
        keyFrameHeader = isKeyFrame ? try? VP8KeyFrameHeader(parsingAfterFrameTag: rest) : nil
    }
}
