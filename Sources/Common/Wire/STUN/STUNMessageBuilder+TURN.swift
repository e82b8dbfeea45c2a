/// Typed writers for the TURN attributes (RFC 8656 §18).
extension STUNMessageBuilder {
    /// CHANNEL-NUMBER; `number` must be in 0x4000...0x4FFF (RFC 8656 §12, §18.1).
    public mutating func appendChannelNumber(_ number: UInt16) throws {
        guard TURNConstants.channelNumbers.contains(number) else { throw STUNError.channelNumberOutOfRange(number) }
        try appendWord(.channelNumber, UInt32(number) << 16)
    }

    /// LIFETIME in seconds (RFC 8656 §18.2).
    public mutating func appendLifetime(_ seconds: UInt32) throws(ByteWriter.Overflow) {
        try appendWord(.lifetime, seconds)
    }

    /// DATA carrying `payload` (RFC 8656 §18.4).
    public mutating func appendData(_ payload: UnsafeRawBufferPointer) throws(ByteWriter.Overflow) {
        try append(.data, value: payload)
    }

    /// REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.6).
    public mutating func appendRequestedAddressFamily(_ family: STUNAddressFamily) throws(ByteWriter.Overflow) {
        try appendWord(.requestedAddressFamily, UInt32(family.rawValue) << 24)
    }

    /// ADDITIONAL-ADDRESS-FAMILY; RFC 8656 §18.11 only allows IPv6 here.
    public mutating func appendAdditionalAddressFamily(_ family: STUNAddressFamily = .ipv6) throws(ByteWriter.Overflow)
    {
        try appendWord(.additionalAddressFamily, UInt32(family.rawValue) << 24)
    }

    /// EVEN-PORT, with the R bit set when the next port should be reserved too (RFC 8656 §18.7).
    public mutating func appendEvenPort(reserveNextPort: Bool) throws(ByteWriter.Overflow) {
        try append(.evenPort, length: 1) { writer throws(ByteWriter.Overflow) in
            try writer.write(UInt8(reserveNextPort ? 0x80 : 0))
        }
    }

    /// REQUESTED-TRANSPORT, UDP unless told otherwise (RFC 8656 §18.8).
    public mutating func appendRequestedTransport(_ protocolNumber: UInt8 = TURNConstants.udpTransport)
        throws(ByteWriter.Overflow)
    {
        try appendWord(.requestedTransport, UInt32(protocolNumber) << 24)
    }

    /// DONT-FRAGMENT, which has no value (RFC 8656 §18.9).
    public mutating func appendDontFragment() throws(ByteWriter.Overflow) {
        try append(.dontFragment, length: 0) { _ throws(ByteWriter.Overflow) in }
    }

    /// RESERVATION-TOKEN (RFC 8656 §18.10).
    public mutating func appendReservationToken(_ token: UInt64) throws(ByteWriter.Overflow) {
        try append(.reservationToken, length: 8) { writer throws(ByteWriter.Overflow) in try writer.write(token) }
    }

    /// ADDRESS-ERROR-CODE for `family` with `code` in 300...699 (RFC 8656 §18.12).
    public mutating func appendAddressErrorCode(family: STUNAddressFamily, code: Int, reason: String) throws {
        guard (300...699).contains(code) else { throw STUNError.invalidErrorCode(code) }
        let phrase = reason.utf8
        guard phrase.count <= STUNErrorCode.reasonLimit else {
            throw STUNError.valueTooLong(
                type: STUNAttributeType.addressErrorCode.rawValue, length: phrase.count,
                limit: STUNErrorCode.reasonLimit)
        }
        try append(.addressErrorCode, length: 4 + phrase.count) { writer throws(ByteWriter.Overflow) in
            try writer.write(family.rawValue)
            try writer.write(UInt8(0))
            try writer.write(UInt8(code / 100))
            try writer.write(UInt8(code % 100))
            try writer.write(contentsOf: phrase)
        }
    }

    /// ICMP (RFC 8656 §18.13).
    public mutating func appendICMP(_ icmp: TURNICMP) throws(ByteWriter.Overflow) {
        try append(.icmp, length: 8) { writer throws(ByteWriter.Overflow) in
            try writer.write(UInt16(0))
            try writer.write(icmp.type)
            try writer.write(icmp.code)
            try writer.write(icmp.errorData)
        }
    }
}
