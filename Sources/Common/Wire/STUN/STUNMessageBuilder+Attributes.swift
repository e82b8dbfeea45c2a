/// Typed writers for the RFC 8489, RFC 8445 and RFC 8656 attributes. They throw
/// `ByteWriter.Overflow` when the buffer is full and ``STUNError`` when a value breaks its
/// attribute's definition.
///
/// The TURN writers stay on the builder, where reading TURN attributes is a separate view
/// (``TURNAttributes``): a writer mutates the builder, and a view cannot hold it `inout`.
extension STUNMessageBuilder {
    /// The transaction ID, read back from the header (the XOR attributes need it).
    public var transactionID: STUNTransactionID {
        var reader = ByteReader(bytes, offset: 8)
        return STUNTransactionID(reading: &reader) ?? STUNTransactionID(high: 0, low: 0)
    }

    /// MAPPED-ADDRESS or ALTERNATE-SERVER (RFC 8489 §14.1, §14.15).
    public mutating func appendMappedAddress(
        _ address: STUNTransportAddress, as type: STUNAttributeType = .mappedAddress
    ) throws(ByteWriter.Overflow) {
        try append(type, length: address.encodedLength) { writer throws(ByteWriter.Overflow) in
            try address.writeMapped(into: &writer)
        }
    }

    /// XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS or XOR-RELAYED-ADDRESS (RFC 8489 §14.2, RFC 8656 §18.3, §18.5).
    public mutating func appendXORAddress(
        _ address: STUNTransportAddress, as type: STUNAttributeType = .xorMappedAddress
    ) throws(ByteWriter.Overflow) {
        let transactionID = self.transactionID
        try append(type, length: address.encodedLength) { writer throws(ByteWriter.Overflow) in
            try address.writeXOR(into: &writer, transactionID: transactionID)
        }
    }

    /// A text attribute (USERNAME, REALM, NONCE, SOFTWARE) from UTF-8 bytes, checked against
    /// its RFC 8489 byte limit.
    public mutating func appendText(_ type: STUNAttributeType, _ text: UnsafeRawBufferPointer) throws {
        if let limit = STUNMessage.byteLimit(of: type), text.count > limit {
            throw STUNError.valueTooLong(type: type.rawValue, length: text.count, limit: limit)
        }
        try append(type, value: text)
    }

    /// A text attribute from a string (control plane; the UTF-8 view is copied without allocating).
    public mutating func appendText(_ type: STUNAttributeType, _ text: String) throws {
        let utf8 = text.utf8
        if let limit = STUNMessage.byteLimit(of: type), utf8.count > limit {
            throw STUNError.valueTooLong(type: type.rawValue, length: utf8.count, limit: limit)
        }
        try append(type, length: utf8.count) { writer throws(ByteWriter.Overflow) in try writer.write(contentsOf: utf8)
        }
    }

    /// USERHASH, the 32-byte SHA-256 of username and realm (RFC 8489 §14.4).
    public mutating func appendUserHash(_ hash: UnsafeRawBufferPointer) throws {
        guard hash.count == 32 else {
            throw STUNError.invalidAttributeLength(type: STUNAttributeType.userHash.rawValue, length: hash.count)
        }
        try append(.userHash, value: hash)
    }

    /// ERROR-CODE with `code` in 300...699 and a reason phrase (RFC 8489 §14.8).
    public mutating func appendErrorCode(_ code: Int, reason: String) throws {
        guard (300...699).contains(code) else { throw STUNError.invalidErrorCode(code) }
        let phrase = reason.utf8
        guard phrase.count <= STUNErrorCode.reasonLimit else {
            throw STUNError.valueTooLong(
                type: STUNAttributeType.errorCode.rawValue, length: phrase.count, limit: STUNErrorCode.reasonLimit)
        }
        try append(.errorCode, length: 4 + phrase.count) { writer throws(ByteWriter.Overflow) in
            try writer.write(UInt16(0))
            try writer.write(UInt8(code / 100))
            try writer.write(UInt8(code % 100))
            try writer.write(contentsOf: phrase)
        }
    }

    /// UNKNOWN-ATTRIBUTES listing `types` (RFC 8489 §14.13).
    public mutating func appendUnknownAttributes<Types: Collection<STUNAttributeType>>(_ types: Types) throws(ByteWriter
        .Overflow)
    {
        try append(.unknownAttributes, length: 2 &* types.count) { writer throws(ByteWriter.Overflow) in
            for type in types { try writer.write(type.rawValue) }
        }
    }

    /// PASSWORD-ALGORITHM with no parameters (RFC 8489 §14.12); see ``STUNPasswordAlgorithm``.
    public mutating func appendPasswordAlgorithm(_ algorithm: UInt16) throws(ByteWriter.Overflow) {
        try append(.passwordAlgorithm, length: 4) { writer throws(ByteWriter.Overflow) in
            try writer.write(algorithm)
            try writer.write(UInt16(0))
        }
    }

    /// PASSWORD-ALGORITHMS listing parameterless algorithms (RFC 8489 §14.11).
    public mutating func appendPasswordAlgorithms<Algorithms: Collection<UInt16>>(
        _ algorithms: Algorithms
    ) throws(ByteWriter.Overflow) {
        try append(.passwordAlgorithms, length: 4 &* algorithms.count) { writer throws(ByteWriter.Overflow) in
            for algorithm in algorithms {
                try writer.write(algorithm)
                try writer.write(UInt16(0))
            }
        }
    }

    /// PRIORITY (RFC 8445 §16.1).
    public mutating func appendPriority(_ priority: UInt32) throws(ByteWriter.Overflow) {
        try appendWord(.priority, priority)
    }

    /// USE-CANDIDATE, which has no value (RFC 8445 §16.1).
    public mutating func appendUseCandidate() throws(ByteWriter.Overflow) {
        try append(.useCandidate, length: 0) { _ throws(ByteWriter.Overflow) in }
    }

    /// ICE-CONTROLLED with its tie-breaker (RFC 8445 §16.1).
    public mutating func appendICEControlled(tieBreaker: UInt64) throws(ByteWriter.Overflow) {
        try append(.iceControlled, length: 8) { writer throws(ByteWriter.Overflow) in try writer.write(tieBreaker) }
    }

    /// ICE-CONTROLLING with its tie-breaker (RFC 8445 §16.1).
    public mutating func appendICEControlling(tieBreaker: UInt64) throws(ByteWriter.Overflow) {
        try append(.iceControlling, length: 8) { writer throws(ByteWriter.Overflow) in try writer.write(tieBreaker) }
    }

    // MARK: TURN (RFC 8656 §18)

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

    /// A 4-byte big-endian value.
    mutating func appendWord(_ type: STUNAttributeType, _ value: UInt32) throws(ByteWriter.Overflow) {
        try append(type, length: 4) { writer throws(ByteWriter.Overflow) in try writer.write(value) }
    }
}
