/// A parsed view of one STUN message (RFC 8489 §5) over borrowed bytes.
///
/// Parsing checks the header and walks the attribute list once, without allocating, so that
/// every later look-up is safe and cannot fail on structure. Attributes are then read lazily
/// from the bytes. The view is valid only while the bytes it was made from are alive.
public struct STUNMessage {
    /// The magic cookie every RFC 5389/8489 message carries (RFC 8489 §5).
    public static let magicCookie: UInt32 = 0x2112_A442
    /// Size of the fixed header.
    public static let headerSize = 20

    /// The whole message: header and attributes, exactly the bytes given to `init(parsing:)`.
    public let bytes: UnsafeRawBufferPointer
    /// Method and class.
    public let type: STUNMessageType
    /// The transaction identifier.
    public let transactionID: STUNTransactionID
    /// Offset of the MESSAGE-INTEGRITY attribute header, when one is honoured.
    public let messageIntegrityOffset: Int?
    /// Offset of the MESSAGE-INTEGRITY-SHA256 attribute header, when one is honoured.
    public let messageIntegritySHA256Offset: Int?
    /// Offset of the FINGERPRINT attribute header, when present.
    public let fingerprintOffset: Int?

    /// Parses the message that fills `bytes` exactly (one UDP datagram, or one frame cut out
    /// of a stream with ``STUNMessage/framedLength(of:)``).
    public init(parsing bytes: UnsafeRawBufferPointer) throws(STUNError) {
        var reader = ByteReader(bytes)
        guard let rawType = reader.readUInt16(), let length = reader.readUInt16(),
            let cookie = reader.readUInt32(), let transactionID = STUNTransactionID(reading: &reader)
        else { throw .headerTruncated }
        guard rawType & 0xC000 == 0 else { throw .leadingBitsNotZero }
        guard cookie == Self.magicCookie else { throw .badMagicCookie }
        guard length % 4 == 0 else { throw .lengthNotMultipleOfFour }
        guard Int(length) == reader.remaining else {
            throw .lengthMismatch(declared: Int(length), received: reader.remaining)
        }

        var integrity: Int?
        var integritySHA256: Int?
        var fingerprint: Int?
        var ordering = STUNAttributeOrdering()
        while !reader.isAtEnd {
            let offset = reader.offset
            guard let code = reader.readUInt16(), let valueLength = reader.readUInt16() else {
                // Unreachable while the length is a multiple of 4, kept so no path can trap.
                throw .attributeOverrunsMessage(type: 0)
            }
            guard reader.skip(STUNAttribute.paddedLength(Int(valueLength))) else {
                throw .attributeOverrunsMessage(type: code)
            }
            if fingerprint != nil { throw .fingerprintNotLast }
            let type = STUNAttributeType(rawValue: code)
            guard ordering.accepts(type) else { continue }
            let length = Int(valueLength)
            switch type {
            case .messageIntegrity:
                guard length == 20 else { throw .invalidAttributeLength(type: code, length: length) }
                integrity = offset
            case .messageIntegritySHA256:
                guard (16...32).contains(length), length % 4 == 0 else {
                    throw .invalidAttributeLength(type: code, length: length)
                }
                integritySHA256 = offset
            case .fingerprint:
                guard length == 4 else { throw .invalidAttributeLength(type: code, length: length) }
                fingerprint = offset
            default:
                break
            }
        }
        self.bytes = bytes
        self.type = STUNMessageType(rawValue: rawType)
        self.transactionID = transactionID
        self.messageIntegrityOffset = integrity
        self.messageIntegritySHA256Offset = integritySHA256
        self.fingerprintOffset = fingerprint
    }

    /// The value of the header's length field: bytes of attributes after the header.
    public var attributesLength: Int { bytes.count - Self.headerSize }

    /// The attributes an agent must consider, in order, read lazily (see ``STUNAttributes``).
    public var attributes: STUNAttributes { STUNAttributes(message: bytes) }

    /// The first honoured attribute of `type`, or `nil`.
    public func first(_ type: STUNAttributeType) -> STUNAttribute? {
        for attribute in attributes where attribute.type == type { return attribute }
        return nil
    }

    /// Whether the FINGERPRINT matches the message (RFC 8489 §14.7); `nil` when the message has
    /// none.
    public var fingerprintIsValid: Bool? {
        guard let offset = fingerprintOffset else { return nil }
        return STUNFingerprint.isValid(in: bytes, attributeOffset: offset)
    }

    /// The MAC input and carried MAC for `algorithm`, or `nil` when the message has no such
    /// honoured attribute.
    public func integrityInput(_ algorithm: STUNIntegrityAlgorithm) -> STUNIntegrityInput? {
        let offset: Int?
        switch algorithm {
        case .hmacSHA1: offset = messageIntegrityOffset
        case .hmacSHA256: offset = messageIntegritySHA256Offset
        }
        guard let offset else { return nil }
        var reader = ByteReader(bytes, offset: offset + 2)
        guard let length = reader.readUInt16(), let mac = reader.readBytes(Int(length)) else { return nil }
        return STUNIntegrityInput(algorithm: algorithm, message: bytes, attributeOffset: offset, mac: mac)
    }

    /// Whether `bytes` begins like a STUN message: leading bits zero, magic cookie at offset 4,
    /// length a multiple of 4. A cheap test for demultiplexers (RFC 8489 §5, RFC 7983 §7).
    public static func looksLikeSTUN(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var reader = ByteReader(bytes)
        guard let type = reader.readUInt16(), let length = reader.readUInt16(), let cookie = reader.readUInt32()
        else { return false }
        return type & 0xC000 == 0 && length % 4 == 0 && cookie == magicCookie
    }

    /// The length of the STUN message at the start of a stream buffer (TCP or TLS framing,
    /// RFC 8489 §6.2.2), or `nil` when the 4 bytes that carry it have not arrived yet.
    public static func framedLength(of bytes: UnsafeRawBufferPointer) -> Int? {
        var reader = ByteReader(bytes)
        guard reader.skip(2), let length = reader.readUInt16() else { return nil }
        return headerSize + Int(length)
    }
}

/// Applies the rules on which attributes count once an integrity attribute has been seen:
/// after MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT (RFC 8489 §14.5);
/// after MESSAGE-INTEGRITY-SHA256 only FINGERPRINT (RFC 8489 §14.6).
struct STUNAttributeOrdering {
    private enum Phase { case open, afterIntegrity, afterIntegritySHA256 }
    private var phase = Phase.open

    /// Whether `type`, appearing next, is honoured; advances the phase.
    mutating func accepts(_ type: STUNAttributeType) -> Bool {
        switch (phase, type) {
        case (_, .fingerprint):
            return true
        case (.open, .messageIntegrity):
            phase = .afterIntegrity
            return true
        case (.open, .messageIntegritySHA256), (.afterIntegrity, .messageIntegritySHA256):
            phase = .afterIntegritySHA256
            return true
        case (.open, _):
            return true
        default:
            return false
        }
    }
}
