/// Typed readers for the TURN attributes (RFC 8656 §18), as a view over a parsed message:
/// `message.turn.lifetime`. Each returns `nil` when the attribute is absent and throws when it is
/// present but malformed.
///
/// Only a TURN server or client reads these, so they stay apart from the STUN and ICE readers
/// every agent uses (``STUNMessage``'s own). The view holds the message, a few words that borrow
/// the same bytes, so it costs nothing and is valid as long as the message is.
public struct TURNAttributes {
    /// The message the attributes are read from.
    public let message: STUNMessage

    /// A view over `message`'s TURN attributes.
    public init(_ message: STUNMessage) { self.message = message }

    /// CHANNEL-NUMBER: the number, then 16 reserved bits (RFC 8656 §18.1). The range check
    /// (0x4000...0x4FFF) is the server's to answer with 400, so the raw number is returned.
    public var channelNumber: UInt16? {
        get throws(STUNError) {
            guard let attribute = try message.fixed(.channelNumber, length: 4) else { return nil }
            var reader = attribute.reader
            return reader.readUInt16()
        }
    }

    /// LIFETIME in seconds (RFC 8656 §18.2).
    public var lifetime: UInt32? {
        get throws(STUNError) { try message.fixed(.lifetime, length: 4).flatMap { $0.reader.readUInt32Value() } }
    }

    /// DATA: the application bytes of a Send or Data indication (RFC 8656 §18.4).
    public var data: UnsafeRawBufferPointer? { message.first(.data)?.value }

    /// REQUESTED-ADDRESS-FAMILY: a family byte, then 24 reserved bits (RFC 8656 §18.6).
    public var requestedAddressFamily: STUNAddressFamily? {
        get throws(STUNError) { try family(.requestedAddressFamily) }
    }

    /// ADDITIONAL-ADDRESS-FAMILY, laid out like REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.11).
    public var additionalAddressFamily: STUNAddressFamily? {
        get throws(STUNError) { try family(.additionalAddressFamily) }
    }

    /// EVEN-PORT's R bit: `true` asks the server to reserve the next port too, `nil` means the
    /// attribute is absent (RFC 8656 §18.7).
    public var evenPort: Bool? {
        get throws(STUNError) {
            guard let attribute = try message.fixed(.evenPort, length: 1) else { return nil }
            var reader = attribute.reader
            return (reader.readUInt8() ?? 0) & 0x80 != 0
        }
    }

    /// REQUESTED-TRANSPORT: a protocol number (17 for UDP), then 24 reserved bits (RFC 8656 §18.8).
    public var requestedTransport: UInt8? {
        get throws(STUNError) {
            guard let attribute = try message.fixed(.requestedTransport, length: 4) else { return nil }
            var reader = attribute.reader
            return reader.readUInt8()
        }
    }

    /// Whether DONT-FRAGMENT is present; it has no value (RFC 8656 §18.9).
    public var dontFragment: Bool {
        get throws(STUNError) { try message.fixed(.dontFragment, length: 0) != nil }
    }

    /// RESERVATION-TOKEN: 8 opaque bytes (RFC 8656 §18.10).
    public var reservationToken: UInt64? {
        get throws(STUNError) {
            try message.fixed(.reservationToken, length: 8).flatMap { $0.reader.readUInt64Value() }
        }
    }

    /// ADDRESS-ERROR-CODE (RFC 8656 §18.12).
    public var addressErrorCode: TURNAddressErrorCode? {
        get throws(STUNError) {
            try message.first(.addressErrorCode).map { attribute throws(STUNError) in try .init(parsing: attribute) }
        }
    }

    /// ICMP (RFC 8656 §18.13).
    public var icmp: TURNICMP? {
        get throws(STUNError) {
            try message.first(.icmp).map { attribute throws(STUNError) in try .init(parsing: attribute) }
        }
    }

    private func family(_ type: STUNAttributeType) throws(STUNError) -> STUNAddressFamily? {
        guard let attribute = try message.fixed(type, length: 4) else { return nil }
        var reader = attribute.reader
        return reader.readUInt8().map(STUNAddressFamily.init(rawValue:))
    }
}
