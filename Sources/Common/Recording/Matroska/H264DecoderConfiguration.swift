/// An H.264 decoder configuration: the SPS and PPS NAL units (without start codes) that
/// become a Matroska H.264 track's CodecPrivate, the `AVCDecoderConfigurationRecord` of
/// ISO/IEC 14496-15 §5.3.3.1 ("avcC").
public struct H264DecoderConfiguration: Equatable, Sendable {
    /// The sequence parameter set NAL unit, header byte included.
    public let sequenceParameterSet: [UInt8]
    /// The picture parameter set NAL unit, header byte included.
    public let pictureParameterSet: [UInt8]

    /// A configuration from one SPS and one PPS; `nil` unless they are NAL units of type 7
    /// and 8 with an SPS long enough to hold profile, constraints and level.
    public init?(sequenceParameterSet: [UInt8], pictureParameterSet: [UInt8]) {
        guard sequenceParameterSet.count >= 4, sequenceParameterSet.count <= 0xFFFF,
            sequenceParameterSet[0] & 0x1F == 7,
            !pictureParameterSet.isEmpty, pictureParameterSet.count <= 0xFFFF,
            pictureParameterSet[0] & 0x1F == 8
        else { return nil }
        self.sequenceParameterSet = sequenceParameterSet
        self.pictureParameterSet = pictureParameterSet
    }

    /// The avcC bytes: version 1, profile, compatibility and level copied from the SPS,
    /// 4-byte NAL unit lengths, then one SPS and one PPS each behind a 16-bit length.
    public var avcC: [UInt8] {
        var record: [UInt8] = [1, sequenceParameterSet[1], sequenceParameterSet[2], sequenceParameterSet[3]]
        record.append(0xFF)  // reserved 6 bits, lengthSizeMinusOne = 3
        record.append(0xE1)  // reserved 3 bits, one SPS
        record.append(UInt8(sequenceParameterSet.count >> 8))
        record.append(UInt8(truncatingIfNeeded: sequenceParameterSet.count))
        record.append(contentsOf: sequenceParameterSet)
        record.append(1)
        record.append(UInt8(pictureParameterSet.count >> 8))
        record.append(UInt8(truncatingIfNeeded: pictureParameterSet.count))
        record.append(contentsOf: pictureParameterSet)
        return record
    }
}
