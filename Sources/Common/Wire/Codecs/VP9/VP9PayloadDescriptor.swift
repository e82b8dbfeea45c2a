/// The VP9 payload descriptor at the start of every VP9 RTP payload (RFC 9628 §4.2).
///
/// ```
///        0 1 2 3 4 5 6 7
///       +-+-+-+-+-+-+-+-+
///       |I|P|L|F|B|E|V|Z| (REQUIRED)
///       +-+-+-+-+-+-+-+-+
///  I:   |M| PICTURE ID  | (7 bits, or 15 with M)
///  M:   | EXTENDED PID  |
///  L:   | TID |U| SID |D|
///       |   TL0PICIDX   | (only when F=0)
///  P,F: | P_DIFF      |N| (up to 3 times)
///  V:   | SS            | (scalability structure, §4.2.1)
/// ```
///
/// Parsing copies nothing and allocates nothing; the reference indices are kept inline and the
/// scalability structure is only located here and decoded on demand by
/// ``VP9ScalabilityStructure``.
public struct VP9PayloadDescriptor: Equatable, Sendable {
    /// P: the frame uses inter-picture prediction (P=0 means it does not).
    public let isInterPicturePredicted: Bool
    /// F: flexible mode (references given as P_DIFF) rather than non-flexible mode.
    public let isFlexibleMode: Bool
    /// B: this packet starts a layer frame.
    public let isStartOfFrame: Bool
    /// E: this packet ends a layer frame.
    public let isEndOfFrame: Bool
    /// Z: the frame is not used as a reference by the next higher spatial layer.
    public let isNotReferenceForUpperSpatialLayer: Bool
    /// The picture ID (I bit), 7 or 15 bits wide; `nil` when absent.
    public let pictureID: UInt16?
    /// Whether the picture ID is the 15-bit form (M bit set).
    public let hasLongPictureID: Bool
    /// Whether the layer indices byte is present (L bit).
    public let hasLayerIndices: Bool
    /// TID: the temporal layer index (0 when L is clear).
    public let temporalLayerID: UInt8
    /// U: switching up to a higher temporal layer is possible from this frame.
    public let isSwitchingUpPoint: Bool
    /// SID: the spatial layer index (0 when L is clear).
    public let spatialLayerID: UInt8
    /// D: the frame depends on the next lower spatial layer of the same picture.
    public let isInterLayerDependency: Bool
    /// TL0PICIDX (L bit in non-flexible mode); `nil` when absent.
    public let tl0PictureIndex: UInt8?
    /// How many P_DIFF reference indices follow (flexible mode with P set): 0–3.
    public let referenceCount: Int
    /// The P_DIFF values, the distances back to referenced pictures; slots past
    /// `referenceCount` hold 0.
    public let referenceDifferences: (UInt8, UInt8, UInt8)
    /// Where the scalability structure (V bit) starts and ends in the RTP payload; `nil` when absent.
    public let scalabilityStructureRange: Range<Int>?
    /// The offset in the RTP payload where the VP9 payload (after the descriptor) starts.
    public let payloadOffset: Int
    /// Where the picture ID starts in the RTP payload (for in-place rewrites), or -1.
    let pictureIDOffset: Int
    /// Where TL0PICIDX sits in the RTP payload (for in-place rewrites), or -1.
    let tl0PictureIndexOffset: Int

    /// The P_DIFF value at `index` (0 ..< `referenceCount`), or `nil` outside that range.
    public func referenceDifference(at index: Int) -> UInt8? {
        guard index >= 0, index < referenceCount else { return nil }
        switch index {
        case 0: return referenceDifferences.0
        case 1: return referenceDifferences.1
        default: return referenceDifferences.2
        }
    }

    /// Whether this packet starts a key picture an SFU can switch a receiver onto.
    ///
    /// Rule: B=1 (start of a layer frame), P=0 (not inter-picture predicted) and SID=0 (the
    /// base spatial layer, also when L is absent). RFC 9628 §4.2 defines P=0 as a frame that
    /// "does not utilize inter-picture prediction"; on spatial layer 0 there is no lower layer
    /// to predict from either, so such a frame decodes on its own, as a key frame does.
    public var isKeyFrame: Bool { isStartOfFrame && !isInterPicturePredicted && spatialLayerID == 0 }

    /// The scalability structure, decoded from `payload` (the buffer this descriptor was
    /// parsed from); `nil` when the V bit is clear or `payload` is not that buffer.
    public func scalabilityStructure(in payload: UnsafeRawBufferPointer) -> VP9ScalabilityStructure? {
        guard let range = scalabilityStructureRange, range.upperBound <= payload.count else { return nil }
        return try? VP9ScalabilityStructure(parsing: UnsafeRawBufferPointer(rebasing: payload[range]))
    }

    /// Field-by-field equality (written out because tuples are not `Equatable`).
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.isInterPicturePredicted == rhs.isInterPicturePredicted && lhs.isFlexibleMode == rhs.isFlexibleMode
            && lhs.isStartOfFrame == rhs.isStartOfFrame && lhs.isEndOfFrame == rhs.isEndOfFrame
            && lhs.isNotReferenceForUpperSpatialLayer == rhs.isNotReferenceForUpperSpatialLayer
            && lhs.pictureID == rhs.pictureID && lhs.hasLongPictureID == rhs.hasLongPictureID
            && lhs.hasLayerIndices == rhs.hasLayerIndices && lhs.temporalLayerID == rhs.temporalLayerID
            && lhs.isSwitchingUpPoint == rhs.isSwitchingUpPoint && lhs.spatialLayerID == rhs.spatialLayerID
            && lhs.isInterLayerDependency == rhs.isInterLayerDependency
            && lhs.tl0PictureIndex == rhs.tl0PictureIndex && lhs.referenceCount == rhs.referenceCount
            && lhs.referenceDifferences == rhs.referenceDifferences
            && lhs.scalabilityStructureRange == rhs.scalabilityStructureRange
            && lhs.payloadOffset == rhs.payloadOffset
    }

    /// Parses the descriptor at the start of `payload`, the bytes after the RTP header.
    public init(parsing payload: UnsafeRawBufferPointer) throws(CodecPayloadError) {
        var reader = ByteReader(payload)
        guard let first = reader.readUInt8() else { throw .vp9DescriptorTruncated }
        let hasPictureID = first & 0x80 != 0
        isInterPicturePredicted = first & 0x40 != 0
        hasLayerIndices = first & 0x20 != 0
        isFlexibleMode = first & 0x10 != 0
        isStartOfFrame = first & 0x08 != 0
        isEndOfFrame = first & 0x04 != 0
        let hasScalabilityStructure = first & 0x02 != 0
        isNotReferenceForUpperSpatialLayer = first & 0x01 != 0

        pictureIDOffset = hasPictureID ? reader.offset : -1
        if hasPictureID {
            guard let high = reader.readUInt8() else { throw .vp9DescriptorTruncated }
            if high & 0x80 != 0 {
                guard let low = reader.readUInt8() else { throw .vp9DescriptorTruncated }
                pictureID = UInt16(high & 0x7F) << 8 | UInt16(low)
                hasLongPictureID = true
            } else {
                pictureID = UInt16(high)
                hasLongPictureID = false
            }
        } else {
            pictureID = nil
            hasLongPictureID = false
        }

        if hasLayerIndices {
            guard let layers = reader.readUInt8() else { throw .vp9DescriptorTruncated }
            temporalLayerID = layers >> 5
            isSwitchingUpPoint = layers & 0x10 != 0
            spatialLayerID = (layers >> 1) & 0x07
            isInterLayerDependency = layers & 0x01 != 0
        } else {
            temporalLayerID = 0
            isSwitchingUpPoint = false
            spatialLayerID = 0
            isInterLayerDependency = false
        }
        // TL0PICIDX only exists in non-flexible mode (RFC 9628 §4.2, Figure 3 vs Figure 2).
        if hasLayerIndices && !isFlexibleMode {
            tl0PictureIndexOffset = reader.offset
            guard let index = reader.readUInt8() else { throw .vp9DescriptorTruncated }
            tl0PictureIndex = index
        } else {
            tl0PictureIndexOffset = -1
            tl0PictureIndex = nil
        }

        var differences: (UInt8, UInt8, UInt8) = (0, 0, 0)
        var count = 0
        if isFlexibleMode && isInterPicturePredicted {
            var more = true
            while more {
                guard count < 3 else { throw .vp9TooManyReferenceIndices }
                guard let byte = reader.readUInt8() else { throw .vp9DescriptorTruncated }
                switch count {
                case 0: differences.0 = byte >> 1
                case 1: differences.1 = byte >> 1
                default: differences.2 = byte >> 1
                }
                count += 1
                more = byte & 0x01 != 0
            }
        }
        referenceCount = count
        referenceDifferences = differences

        if hasScalabilityStructure {
            let start = reader.offset
            let length = try VP9ScalabilityStructure.length(at: &reader)
            scalabilityStructureRange = start..<start + length
        } else {
            scalabilityStructureRange = nil
        }
        guard !reader.isAtEnd else { throw .vp9PayloadMissing }
        payloadOffset = reader.offset
    }
}
