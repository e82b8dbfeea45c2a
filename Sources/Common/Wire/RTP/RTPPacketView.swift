/// A validated RTP packet (RFC 3550 §5.1) read in place from borrowed bytes.
///
/// Parsing checks the version, the CSRC list, the header extension length and the padding
/// count, then records offsets; every field is read from the bytes on demand. Nothing is
/// copied or allocated, so the bytes must outlive the view.
public struct RTPPacketView {
    /// The whole packet.
    public let bytes: UnsafeRawBufferPointer
    /// Where the header extension's elements start and end (after its 4-byte preamble), when X is set.
    public let extensionDataRange: Range<Int>?
    /// Where the payload starts and ends (padding excluded).
    public let payloadRange: Range<Int>
    /// How many padding octets end the packet, count octet included (0 when P is clear).
    public let paddingLength: Int

    /// Parses and validates the RTP packet in `bytes`.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(RTPError) {
        guard bytes.count >= 12 else { throw .truncatedHeader(needed: 12, available: bytes.count) }
        let first = bytes[0]
        guard first >> 6 == 2 else { throw .unsupportedVersion(first >> 6) }
        var headerLength = 12 + Int(first & 0x0F) * 4
        guard bytes.count >= headerLength else {
            throw .truncatedHeader(needed: headerLength, available: bytes.count)
        }
        if first & 0x10 != 0 {
            guard bytes.count >= headerLength + 4 else {
                throw .truncatedHeader(needed: headerLength + 4, available: bytes.count)
            }
            let words = Int(bytes.bigEndianUInt16(at: headerLength + 2))
            let dataStart = headerLength + 4
            headerLength = dataStart + words * 4
            guard bytes.count >= headerLength else {
                throw .truncatedHeader(needed: headerLength, available: bytes.count)
            }
            extensionDataRange = dataStart..<headerLength
        } else {
            extensionDataRange = nil
        }
        var padding = 0
        if first & 0x20 != 0 {
            let available = bytes.count - headerLength
            padding = available > 0 ? Int(bytes[bytes.count - 1]) : 0
            guard padding >= 1, padding <= available else {
                throw .invalidPaddingCount(count: padding, available: available)
            }
        }
        self.bytes = bytes
        self.paddingLength = padding
        self.payloadRange = headerLength..<(bytes.count - padding)
    }

    /// The version field (always 2 once parsed).
    public var version: UInt8 { bytes[0] >> 6 }
    /// The P bit: the packet ends with padding.
    public var hasPadding: Bool { bytes[0] & 0x20 != 0 }
    /// The X bit: a header extension follows the CSRC list.
    public var hasExtension: Bool { bytes[0] & 0x10 != 0 }
    /// The CC field: how many CSRCs follow the fixed header.
    public var csrcCount: Int { Int(bytes[0] & 0x0F) }
    /// The M bit; its meaning is set by the profile (end of frame for video).
    public var marker: Bool { bytes[1] & 0x80 != 0 }
    /// The 7-bit payload type.
    public var payloadType: UInt8 { bytes[1] & 0x7F }
    /// The sequence number.
    public var sequenceNumber: UInt16 { bytes.bigEndianUInt16(at: 2) }
    /// The media timestamp.
    public var timestamp: UInt32 { bytes.bigEndianUInt32(at: 4) }
    /// The synchronization source.
    public var ssrc: UInt32 { bytes.bigEndianUInt32(at: 8) }
    /// The contributing sources, read lazily from the bytes.
    public var csrcs: RTPCSRCList { RTPCSRCList(bytes: bytes, count: csrcCount) }
    /// Bytes before the payload: fixed header, CSRCs and the header extension.
    public var headerLength: Int { payloadRange.lowerBound }

    /// The 16-bit profile-defined field of the header extension (0xBEDE, 0x100x, …), when X is set.
    public var extensionProfile: UInt16? {
        guard let range = extensionDataRange else { return nil }
        return bytes.bigEndianUInt16(at: range.lowerBound - 4)
    }

    /// The header extension block, when X is set; its elements are walked on demand.
    public var headerExtension: RTPHeaderExtensionView? {
        guard let range = extensionDataRange, let profile = extensionProfile else { return nil }
        return RTPHeaderExtensionView(profile: profile, data: UnsafeRawBufferPointer(rebasing: bytes[range]))
    }

    /// The payload, padding excluded.
    public var payload: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[payloadRange]) }
}
