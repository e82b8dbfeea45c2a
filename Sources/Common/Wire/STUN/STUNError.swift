/// Why a STUN message, attribute or TURN ChannelData frame was rejected; each case names the
/// rule it breaks so that logs point straight at the RFC.
public enum STUNError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer than the 20 header bytes (RFC 8489 §5).
    case headerTruncated
    /// One of the two most significant bits of the message is set (RFC 8489 §5).
    case leadingBitsNotZero
    /// The magic cookie is not 0x2112A442 (RFC 8489 §5).
    case badMagicCookie
    /// The message length is not a multiple of 4 (RFC 8489 §5).
    case lengthNotMultipleOfFour
    /// The message length disagrees with the bytes received (RFC 8489 §5).
    case lengthMismatch(declared: Int, received: Int)
    /// An attribute (with its padding) runs past the end of the message (RFC 8489 §14).
    case attributeOverrunsMessage(type: UInt16)
    /// FINGERPRINT is followed by another attribute (RFC 8489 §14.7).
    case fingerprintNotLast
    /// An attribute's value has a length its definition forbids (the section is the attribute's).
    case invalidAttributeLength(type: UInt16, length: Int)
    /// An address family other than 0x01 (IPv4) or 0x02 (IPv6) (RFC 8489 §14.1, §14.2).
    case unknownAddressFamily(UInt8)
    /// ERROR-CODE class outside 3...6 or number outside 0...99 (RFC 8489 §14.8).
    case invalidErrorCode(Int)
    /// A text attribute longer than its definition allows (RFC 8489 §14.3, §14.9, §14.10, §14.14).
    case valueTooLong(type: UInt16, length: Int, limit: Int)
    /// A TURN channel number outside 0x4000...0x4FFF (RFC 8656 §12).
    case channelNumberOutOfRange(UInt16)
    /// A ChannelData frame shorter than its header or its declared length (RFC 8656 §12.4).
    case channelDataTruncated

    public var description: String {
        switch self {
        case .headerTruncated: "RFC 8489 §5: a STUN header is 20 bytes"
        case .leadingBitsNotZero: "RFC 8489 §5: the two most significant bits of a STUN message must be zero"
        case .badMagicCookie: "RFC 8489 §5: the magic cookie must be 0x2112A442"
        case .lengthNotMultipleOfFour: "RFC 8489 §5: the message length must be a multiple of 4"
        case let .lengthMismatch(declared, received):
            "RFC 8489 §5: header declares \(declared) attribute bytes, \(received) received"
        case let .attributeOverrunsMessage(type):
            "RFC 8489 §14: attribute 0x\(String(type, radix: 16)) runs past the end of the message"
        case .fingerprintNotLast: "RFC 8489 §14.7: FINGERPRINT must be the last attribute"
        case let .invalidAttributeLength(type, length):
            "attribute 0x\(String(type, radix: 16)) cannot be \(length) bytes long (see its RFC section)"
        case let .unknownAddressFamily(family): "RFC 8489 §14.1: unknown address family \(family)"
        case let .invalidErrorCode(code): "RFC 8489 §14.8: error code \(code) is outside 300...699"
        case let .valueTooLong(type, length, limit):
            "attribute 0x\(String(type, radix: 16)) is \(length) bytes, the RFC allows at most \(limit)"
        case let .channelNumberOutOfRange(number):
            "RFC 8656 §12: channel number 0x\(String(number, radix: 16)) is outside 0x4000...0x4FFF"
        case .channelDataTruncated: "RFC 8656 §12.4: ChannelData shorter than its header or declared length"
        }
    }
}
