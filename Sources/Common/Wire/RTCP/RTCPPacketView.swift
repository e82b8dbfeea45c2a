/// One RTCP packet (RFC 3550 §6.4.1 common header) read in place from borrowed bytes.
public struct RTCPPacketView {
    /// The whole packet, header and padding included.
    public let bytes: UnsafeRawBufferPointer
    /// Padding octets at the end (count octet included); 0 when P is clear.
    public let paddingLength: Int

    /// Parses a buffer that holds exactly one RTCP packet.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(RTCPError) {
        self = try Self(parsingFirstPacketOf: bytes)
        guard self.bytes.count == bytes.count else { throw .trailingBytes(bytes.count - self.bytes.count) }
    }

    /// Parses the packet at the start of `bytes`, which may be followed by others.
    init(parsingFirstPacketOf bytes: UnsafeRawBufferPointer) throws(RTCPError) {
        guard bytes.count >= 4 else { throw .truncatedHeader(available: bytes.count) }
        guard bytes[0] >> 6 == 2 else { throw .unsupportedVersion(bytes[0] >> 6) }
        let length = (Int(bytes.bigEndianUInt16(at: 2)) + 1) * 4
        guard length <= bytes.count else { throw .lengthOverrunsBuffer(declared: length, available: bytes.count) }
        var padding = 0
        if bytes[0] & 0x20 != 0 {
            padding = Int(bytes[length - 1])
            guard padding >= 1, padding <= length - 4 else {
                throw .invalidPaddingCount(count: padding, available: length - 4)
            }
        }
        self.bytes = UnsafeRawBufferPointer(rebasing: bytes[0..<length])
        self.paddingLength = padding
    }

    /// The P bit.
    public var hasPadding: Bool { bytes[0] & 0x20 != 0 }
    /// The 5-bit count field: report count, source count, or feedback message type (FMT).
    public var count: Int { Int(bytes[0] & 0x1F) }
    /// The packet type (see ``RTCPPacketType``).
    public var packetType: UInt8 { bytes[1] }
    /// The body after the 4-byte common header, padding excluded.
    public var body: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[4..<(bytes.count - paddingLength)])
    }

    /// Throws unless this packet has `packetType` (and, when given, feedback format `format`).
    func expect(_ packetType: UInt8, format: Int? = nil) throws(RTCPError) {
        guard self.packetType == packetType, format == nil || format == count else {
            throw .unexpectedPacketType(packetType: self.packetType, format: UInt8(count))
        }
    }

    /// Throws unless the body has at least `needed` bytes.
    func requireBody(_ needed: Int) throws(RTCPError) {
        guard body.count >= needed else {
            throw .bodyTooShort(packetType: packetType, needed: needed, available: body.count)
        }
    }
}
