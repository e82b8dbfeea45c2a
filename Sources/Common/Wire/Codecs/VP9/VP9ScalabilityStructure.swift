/// The VP9 scalability structure (RFC 9628 §4.2.1), decoded lazily from the bytes a
/// ``VP9PayloadDescriptor`` located.
///
/// ```
///       +-+-+-+-+-+-+-+-+
///  V:   | N_S |Y|G|-|-|-|
///       +-+-+-+-+-+-+-+-+              -\
///  Y:   |     WIDTH     | (16 bits)     - N_S + 1 times
///       |     HEIGHT    | (16 bits)    -/
///       +-+-+-+-+-+-+-+-+
///  G:   |      N_G      |
///       +-+-+-+-+-+-+-+-+                           -\
///  N_G: |  TID  |U| R |-|-|                          . - N_G times
///       |    P_DIFF     | (R times)                 -/
///       +-+-+-+-+-+-+-+-+
/// ```
///
/// The value borrows the bytes: per-layer and per-group fields are read on request, so
/// holding one allocates nothing. The bytes must outlive it.
public struct VP9ScalabilityStructure {
    /// The bytes of the structure, starting at its first octet.
    public let bytes: UnsafeRawBufferPointer
    /// How many spatial layers the stream has (N_S + 1), 1–8.
    public let spatialLayerCount: Int
    /// Y: whether each spatial layer's resolution is given.
    public let hasResolutions: Bool
    /// G: whether picture group descriptions follow.
    public let hasPictureGroup: Bool
    /// N_G: how many pictures the picture group describes (0 when G is clear).
    public let pictureGroupCount: Int
    /// Where the first picture group description starts in `bytes`.
    let pictureGroupOffset: Int

    /// Decodes the structure at the start of `bytes`.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(CodecPayloadError) {
        var reader = ByteReader(bytes)
        _ = try Self.length(at: &reader)
        guard let first = bytes.first else { throw .vp9ScalabilityStructureTruncated }
        self.bytes = bytes
        spatialLayerCount = Int(first >> 5) + 1
        hasResolutions = first & 0x10 != 0
        hasPictureGroup = first & 0x08 != 0
        let groupStart = 1 + (hasResolutions ? 4 * spatialLayerCount : 0)
        pictureGroupOffset = groupStart + (hasPictureGroup ? 1 : 0)
        pictureGroupCount = hasPictureGroup ? Int(bytes[groupStart]) : 0
    }

    /// The width and height of spatial layer `index`, or `nil` when Y is clear or the index is
    /// out of range.
    public func resolution(ofSpatialLayer index: Int) -> (width: UInt16, height: UInt16)? {
        guard hasResolutions, index >= 0, index < spatialLayerCount else { return nil }
        let at = 1 + 4 * index
        return (bytes.bigEndianUInt16(at: at), bytes.bigEndianUInt16(at: at + 2))
    }

    /// One picture of the picture group: its temporal layer, switching-up flag and references.
    public struct PictureDescription: Equatable, Sendable {
        /// TID: the temporal layer of this picture.
        public let temporalLayerID: UInt8
        /// U: switching up to a higher temporal layer is possible at this picture.
        public let isSwitchingUpPoint: Bool
        /// R: how many references follow (0–3).
        public let referenceCount: Int
        /// Where this picture's P_DIFF bytes start within the structure's bytes.
        let referencesOffset: Int
    }

    /// The description of picture `index` in the picture group, or `nil` out of range.
    /// Walks the group from its start, which is cheap: a group describes a handful of pictures.
    public func picture(at index: Int) -> PictureDescription? {
        guard index >= 0, index < pictureGroupCount else { return nil }
        var offset = pictureGroupOffset
        var current = 0
        while true {
            let byte = bytes[offset]
            let references = Int((byte >> 2) & 0x03)
            if current == index {
                return PictureDescription(
                    temporalLayerID: byte >> 5,
                    isSwitchingUpPoint: byte & 0x10 != 0,
                    referenceCount: references,
                    referencesOffset: offset + 1)
            }
            offset += 1 + references
            current += 1
        }
    }

    /// The P_DIFF of reference `reference` of `picture`, or `nil` out of range.
    public func referenceDifference(of picture: PictureDescription, at reference: Int) -> UInt8? {
        guard reference >= 0, reference < picture.referenceCount else { return nil }
        let at = picture.referencesOffset + reference
        guard at < bytes.count else { return nil }
        return bytes[at]
    }

    /// Walks the structure at `reader` to its end and returns its length in bytes; checking
    /// every length here is what lets the accessors above index without further checks.
    static func length(at reader: inout ByteReader) throws(CodecPayloadError) -> Int {
        let start = reader.offset
        guard let first = reader.readUInt8() else { throw .vp9ScalabilityStructureTruncated }
        let layers = Int(first >> 5) + 1
        if first & 0x10 != 0 {
            guard reader.skip(4 * layers) else { throw .vp9ScalabilityStructureTruncated }
        }
        if first & 0x08 != 0 {
            guard let groupCount = reader.readUInt8() else { throw .vp9ScalabilityStructureTruncated }
            for _ in 0..<groupCount {
                guard let picture = reader.readUInt8(), reader.skip(Int((picture >> 2) & 0x03))
                else { throw .vp9ScalabilityStructureTruncated }
            }
        }
        return reader.offset - start
    }
}
