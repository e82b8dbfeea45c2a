/// Typed readers for the TURN attributes (RFC 8656 §18). Each returns `nil` when the
/// attribute is absent and throws when it is present but malformed.
extension STUNMessage {
    /// CHANNEL-NUMBER: the number, then 16 reserved bits (RFC 8656 §18.1). The range check
    /// (0x4000...0x4FFF) is the server's to answer with 400, so the raw number is returned.
    public var channelNumber: UInt16? {
        get throws(STUNError) {
            guard let attribute = try fixed(.channelNumber, length: 4) else { return nil }
            var reader = attribute.reader
            return reader.readUInt16()
        }
    }

    /// LIFETIME in seconds (RFC 8656 §18.2).
    public var lifetime: UInt32? {
        get throws(STUNError) { try fixed(.lifetime, length: 4).flatMap { $0.reader.readUInt32Value() } }
    }

    /// DATA: the application bytes of a Send or Data indication (RFC 8656 §18.4).
    public var data: UnsafeRawBufferPointer? { first(.data)?.value }

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
            guard let attribute = try fixed(.evenPort, length: 1) else { return nil }
            var reader = attribute.reader
            return (reader.readUInt8() ?? 0) & 0x80 != 0
        }
    }

    /// REQUESTED-TRANSPORT: a protocol number (17 for UDP), then 24 reserved bits (RFC 8656 §18.8).
    public var requestedTransport: UInt8? {
        get throws(STUNError) {
            guard let attribute = try fixed(.requestedTransport, length: 4) else { return nil }
            var reader = attribute.reader
            return reader.readUInt8()
        }
    }

    /// Whether DONT-FRAGMENT is present; it has no value (RFC 8656 §18.9).
    public var dontFragment: Bool {
        get throws(STUNError) { try fixed(.dontFragment, length: 0) != nil }
    }

    /// RESERVATION-TOKEN: 8 opaque bytes (RFC 8656 §18.10).
    public var reservationToken: UInt64? {
        get throws(STUNError) { try fixed(.reservationToken, length: 8).flatMap { $0.reader.readUInt64Value() } }
    }

    /// ADDRESS-ERROR-CODE (RFC 8656 §18.12).
    public var addressErrorCode: TURNAddressErrorCode? {
        get throws(STUNError) {
            try first(.addressErrorCode).map { attribute throws(STUNError) in try .init(parsing: attribute) }
        }
    }

    /// ICMP (RFC 8656 §18.13).
    public var icmp: TURNICMP? {
        get throws(STUNError) { try first(.icmp).map { attribute throws(STUNError) in try .init(parsing: attribute) } }
    }

    private func family(_ type: STUNAttributeType) throws(STUNError) -> STUNAddressFamily? {
        guard let attribute = try fixed(type, length: 4) else { return nil }
        var reader = attribute.reader
        return reader.readUInt8().map(STUNAddressFamily.init(rawValue:))
    }
}
