/// The one-byte H.264 NAL unit header (RFC 6184 §1.3, §5.3).
///
/// ```
/// +---------------+
/// |0|1|2|3|4|5|6|7|
/// +-+-+-+-+-+-+-+-+
/// |F|NRI|  Type   |
/// +---------------+
/// ```
public struct H264NALUnitHeader: Equatable, Sendable {
    /// The raw header byte.
    public let rawValue: UInt8

    /// Wraps a header byte.
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    /// F: forbidden_zero_bit; 1 flags a syntax violation upstream (RFC 6184 §5.3).
    public var forbiddenBit: Bool { rawValue & 0x80 != 0 }
    /// NRI: nal_ref_idc, 0 when the unit is not used for reference (0–3).
    public var referenceIndication: UInt8 { (rawValue >> 5) & 0x03 }
    /// Type: the NAL unit type (1–23 are H.264 NAL units; 24–29 RTP packet types).
    public var type: UInt8 { rawValue & 0x1F }
    /// The type, named when it is one an SFU cares about.
    public var unitType: H264NALUnitType { H264NALUnitType(rawValue: type) }
}

/// NAL unit types (ITU-T H.264 Table 7-1) and RTP packet types (RFC 6184 Table 1).
public enum H264NALUnitType: Equatable, Sendable {
    /// 1: a slice of a non-IDR picture.
    case nonIDRSlice
    /// 2–4: slice data partitions A, B and C.
    case slicePartition
    /// 5: a slice of an IDR picture, where decoding can start.
    case idrSlice
    /// 6: supplemental enhancement information.
    case supplementalEnhancementInformation
    /// 7: sequence parameter set.
    case sequenceParameterSet
    /// 8: picture parameter set.
    case pictureParameterSet
    /// 9: access unit delimiter.
    case accessUnitDelimiter
    /// 10–23: other H.264 NAL units (end of sequence, filler, extensions...).
    case other(UInt8)
    /// 24: single-time aggregation packet A (RFC 6184 §5.7.1).
    case aggregationSTAPA
    /// 25: STAP-B (interleaved mode only).
    case aggregationSTAPB
    /// 26: MTAP16 (interleaved mode only).
    case aggregationMTAP16
    /// 27: MTAP24 (interleaved mode only).
    case aggregationMTAP24
    /// 28: fragmentation unit A (RFC 6184 §5.8).
    case fragmentFUA
    /// 29: FU-B (interleaved mode only).
    case fragmentFUB
    /// 0, 30, 31: undefined.
    case undefined(UInt8)

    /// The name for a 5-bit type value.
    public init(rawValue: UInt8) {
        switch rawValue & 0x1F {
        case 1: self = .nonIDRSlice
        case 2, 3, 4: self = .slicePartition
        case 5: self = .idrSlice
        case 6: self = .supplementalEnhancementInformation
        case 7: self = .sequenceParameterSet
        case 8: self = .pictureParameterSet
        case 9: self = .accessUnitDelimiter
        case 24: self = .aggregationSTAPA
        case 25: self = .aggregationSTAPB
        case 26: self = .aggregationMTAP16
        case 27: self = .aggregationMTAP24
        case 28: self = .fragmentFUA
        case 29: self = .fragmentFUB
        case let value where value >= 10 && value <= 23: self = .other(value)
        case let value: self = .undefined(value)
        }
    }
}
