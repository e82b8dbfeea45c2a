/// The VP8 payload descriptor at the start of every VP8 RTP payload (RFC 7741 §4.2).
///
/// ```
///        0 1 2 3 4 5 6 7
///       +-+-+-+-+-+-+-+-+
///       |X|R|N|S|R| PID | (REQUIRED)
///       +-+-+-+-+-+-+-+-+
///  X:   |I|L|T|K| RSV   | (OPTIONAL)
///       +-+-+-+-+-+-+-+-+
///  I:   |M| PictureID   | (OPTIONAL, 7 or 15 bits)
///       +-+-+-+-+-+-+-+-+
///  L:   |   TL0PICIDX   | (OPTIONAL)
///       +-+-+-+-+-+-+-+-+
///  T/K: |TID|Y| KEYIDX  | (OPTIONAL)
///       +-+-+-+-+-+-+-+-+
/// ```
///
/// Parsing reads only the descriptor and, at the start of partition 0, the 3-byte payload
/// header (§4.3); it copies nothing and allocates nothing. The offsets it keeps let an SFU
/// rewrite PictureID and TL0PICIDX in place (see `VP8PayloadDescriptor+Rewrite.swift`).
public struct VP8PayloadDescriptor: Equatable, Sendable {
    /// N: the frame is not used as a reference by any other frame and may be dropped.
    public let isNonReference: Bool
    /// S: this packet starts a VP8 partition.
    public let isStartOfPartition: Bool
    /// PID: the index of the partition this packet's first byte belongs to (0–7).
    public let partitionIndex: UInt8
    /// The PictureID (I bit), 7 or 15 bits wide; `nil` when absent.
    public let pictureID: UInt16?
    /// Whether the PictureID is the 15-bit form (M bit set); meaningful when `pictureID` is set.
    public let hasLongPictureID: Bool
    /// TL0PICIDX (L bit): the running index of temporal base layer frames; `nil` when absent.
    public let tl0PictureIndex: UInt8?
    /// TID (T bit): the temporal layer index; `nil` when absent.
    public let temporalLayerID: UInt8?
    /// Y (with T): the frame depends only on the base temporal layer ("layer sync").
    public let isLayerSync: Bool
    /// KEYIDX (K bit): the running index of key frames, 5 bits; `nil` when absent.
    public let keyIndex: UInt8?
    /// The VP8 payload header when this packet starts partition 0; `nil` otherwise.
    public let payloadHeader: VP8PayloadHeader?
    /// The offset in the RTP payload where the VP8 payload (after the descriptor) starts.
    public let payloadOffset: Int
    /// Where the PictureID field starts in the RTP payload (for in-place rewrites), or -1.
    let pictureIDOffset: Int
    /// Where TL0PICIDX sits in the RTP payload (for in-place rewrites), or -1.
    let tl0PictureIndexOffset: Int

    /// Whether this packet starts a key frame: the start of partition 0 (S=1, PID=0) whose
    /// payload header has P=0 (RFC 7741 §4.3: P is an inverse key frame flag).
    public var isKeyFrame: Bool { payloadHeader?.isKeyFrame ?? false }

    /// Whether this packet starts a new frame (S=1 and PID=0, RFC 7741 §4.2).
    public var isStartOfFrame: Bool { isStartOfPartition && partitionIndex == 0 }

    /// Parses the descriptor at the start of `payload`, the bytes after the RTP header.
    public init(parsing payload: UnsafeRawBufferPointer) throws(CodecPayloadError) {
        var reader = ByteReader(payload)
        guard let first = reader.readUInt8() else { throw .vp8DescriptorTruncated }
        isNonReference = first & 0x20 != 0
        isStartOfPartition = first & 0x10 != 0
        partitionIndex = first & 0x07

        var pictureID: UInt16?
        var hasLongPictureID = false
        var tl0PictureIndex: UInt8?
        var temporalLayerID: UInt8?
        var isLayerSync = false
        var keyIndex: UInt8?
        var pictureIDOffset = -1
        var tl0PictureIndexOffset = -1

        if first & 0x80 != 0 {
            guard let extensions = reader.readUInt8() else { throw .vp8DescriptorTruncated }
            if extensions & 0x80 != 0 {
                pictureIDOffset = reader.offset
                guard let high = reader.readUInt8() else { throw .vp8DescriptorTruncated }
                if high & 0x80 != 0 {
                    guard let low = reader.readUInt8() else { throw .vp8DescriptorTruncated }
                    hasLongPictureID = true
                    pictureID = UInt16(high & 0x7F) << 8 | UInt16(low)
                } else {
                    pictureID = UInt16(high)
                }
            }
            if extensions & 0x40 != 0 {
                tl0PictureIndexOffset = reader.offset
                guard let index = reader.readUInt8() else { throw .vp8DescriptorTruncated }
                tl0PictureIndex = index
            }
            let hasTemporalLayer = extensions & 0x20 != 0
            let hasKeyIndex = extensions & 0x10 != 0
            if hasTemporalLayer || hasKeyIndex {
                guard let layers = reader.readUInt8() else { throw .vp8DescriptorTruncated }
                if hasTemporalLayer {
                    temporalLayerID = layers >> 6
                    isLayerSync = layers & 0x20 != 0
                }
                if hasKeyIndex { keyIndex = layers & 0x1F }
            }
        }
        guard !reader.isAtEnd else { throw .vp8PayloadMissing }

        self.pictureID = pictureID
        self.hasLongPictureID = hasLongPictureID
        self.tl0PictureIndex = tl0PictureIndex
        self.temporalLayerID = temporalLayerID
        self.isLayerSync = isLayerSync
        self.keyIndex = keyIndex
        self.pictureIDOffset = pictureIDOffset
        self.tl0PictureIndexOffset = tl0PictureIndexOffset
        self.payloadOffset = reader.offset
        if isStartOfPartition && partitionIndex == 0 {
            payloadHeader = try VP8PayloadHeader(parsing: UnsafeRawBufferPointer(rebasing: payload[reader.offset...]))
        } else {
            payloadHeader = nil
        }
    }
}
