/// The value of ADDRESS-ERROR-CODE (RFC 8656 §18.12): which family failed, an error code
/// and a reason phrase.
public struct TURNAddressErrorCode {
    /// The address family the error is about.
    public let family: STUNAddressFamily
    /// The error code, class × 100 + number (for example 440).
    public let code: Int
    /// The UTF-8 reason phrase, borrowed from the message.
    public let reasonBytes: UnsafeRawBufferPointer

    /// The reason phrase as a string.
    public var reason: String { String(decoding: reasonBytes, as: UTF8.self) }

    /// Decodes family (8 bits), reserved (13 bits), class (3 bits), number (8 bits), phrase.
    public init(parsing attribute: STUNAttribute) throws(STUNError) {
        var reader = attribute.reader
        guard let family = reader.readUInt8(), reader.skip(1), let classByte = reader.readUInt8(),
            let number = reader.readUInt8()
        else { throw .invalidAttributeLength(type: attribute.type.rawValue, length: attribute.value.count) }
        self.family = STUNAddressFamily(rawValue: family)
        code = try STUNErrorCode.decodeCode(classByte: classByte, number: number)
        reasonBytes = reader.readBytes(reader.remaining) ?? UnsafeRawBufferPointer(start: nil, count: 0)
        guard reasonBytes.count <= STUNErrorCode.reasonLimit else {
            throw .valueTooLong(
                type: attribute.type.rawValue, length: reasonBytes.count, limit: STUNErrorCode.reasonLimit)
        }
    }
}

/// The value of ICMP (RFC 8656 §18.13): an ICMP type and code seen by the relay, and 4
/// bytes of error data (the next-hop MTU for "packet too big").
///
/// The RFC's figure draws the type and code fields across odd bit widths; both are 8-bit
/// fields in ICMP itself, so they are read as bytes 2 and 3 after 16 reserved bits.
public struct TURNICMP: Hashable, Sendable {
    /// The ICMP (or ICMPv6) type.
    public var type: UInt8
    /// The ICMP (or ICMPv6) code.
    public var code: UInt8
    /// The error data word.
    public var errorData: UInt32

    /// An ICMP value from its parts.
    public init(type: UInt8, code: UInt8, errorData: UInt32) {
        self.type = type
        self.code = code
        self.errorData = errorData
    }

    /// Decodes the 8-byte value.
    public init(parsing attribute: STUNAttribute) throws(STUNError) {
        try attribute.requireLength(8)
        var reader = attribute.reader
        guard reader.skip(2), let type = reader.readUInt8(), let code = reader.readUInt8(),
            let data = reader.readUInt32()
        else { throw .invalidAttributeLength(type: attribute.type.rawValue, length: attribute.value.count) }
        self.init(type: type, code: code, errorData: data)
    }
}

/// TURN constants that callers compare attribute values against.
public enum TURNConstants {
    /// The channel numbers a client may bind (RFC 8656 §12).
    public static let channelNumbers: ClosedRange<UInt16> = 0x4000...0x4FFF
    /// REQUESTED-TRANSPORT protocol number for UDP, the only one RFC 8656 §18.8 defines.
    public static let udpTransport: UInt8 = 17
}
