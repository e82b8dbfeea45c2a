/// Writes one STUN message into a caller buffer (RFC 8489 §5, §14).
///
/// The header's length field is kept current after every attribute, so ``bytes`` is always
/// a complete message. Integrity attributes and FINGERPRINT go last, in the order RFC 8489
/// §14.5–§14.7 require: ``reserveIntegrity(_:length:)`` then ``appendFingerprint()``.
/// Nothing here allocates.
public struct STUNMessageBuilder {
    /// The cursor over the caller's buffer, positioned after the last attribute written.
    public private(set) var writer: ByteWriter
    /// Offset of the message's first byte within the buffer.
    public let start: Int
    /// The byte padding is filled with. RFC 8489 §14 lets it be anything; zero unless a caller
    /// needs to reproduce someone else's bytes (RFC 5769 pads with spaces).
    public var paddingByte: UInt8 = 0

    /// Starts a message at the writer's position and writes its header.
    public init(
        writer: ByteWriter, type: STUNMessageType, transactionID: STUNTransactionID
    ) throws(ByteWriter.Overflow) {
        self.writer = writer
        self.start = writer.offset
        guard self.writer.remaining >= STUNMessage.headerSize else {
            throw ByteWriter.Overflow(needed: STUNMessage.headerSize, available: self.writer.remaining)
        }
        try self.writer.write(type.rawValue)
        try self.writer.write(UInt16(0))
        try self.writer.write(STUNMessage.magicCookie)
        try transactionID.write(into: &self.writer)
    }

    /// Starts a message at the beginning of `buffer`.
    public init(
        into buffer: UnsafeMutableRawBufferPointer, type: STUNMessageType, transactionID: STUNTransactionID
    ) throws(ByteWriter.Overflow) {
        try self.init(writer: ByteWriter(buffer), type: type, transactionID: transactionID)
    }

    /// The message written so far (a complete, valid message).
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: writer.buffer[start..<writer.offset])
    }

    /// Bytes written so far.
    public var count: Int { writer.offset - start }

    /// Appends an attribute whose value is `value`.
    public mutating func append(_ type: STUNAttributeType, value: UnsafeRawBufferPointer) throws(ByteWriter.Overflow) {
        try append(type, length: value.count) { writer throws(ByteWriter.Overflow) in try writer.write(bytes: value) }
    }

    /// Appends an attribute of `length` value bytes that `writeValue` writes, then its padding.
    /// Nothing is kept if `writeValue` throws. Throws when the buffer cannot hold the attribute
    /// or the message would outgrow the 16-bit length field.
    public mutating func append(
        _ type: STUNAttributeType, length: Int,
        writeValue: (inout ByteWriter) throws(ByteWriter.Overflow) -> Void
    ) throws(ByteWriter.Overflow) {
        let padded = STUNAttribute.paddedLength(length)
        let needed = 4 &+ padded
        guard length >= 0, length <= Int(UInt16.max), writer.remaining >= needed,
            count &+ needed &- STUNMessage.headerSize <= Int(UInt16.max)
        else { throw ByteWriter.Overflow(needed: needed, available: writer.remaining) }
        var draft = writer
        try draft.write(type.rawValue)
        try draft.write(UInt16(length))
        let valueStart = draft.offset
        try writeValue(&draft)
        precondition(draft.offset - valueStart == length, "attribute \(type) declared \(length) bytes")
        for _ in length..<padded { try draft.write(paddingByte) }
        writer = draft
        updateLength()
    }

    /// Appends MESSAGE-INTEGRITY (or -SHA256) with a zeroed MAC and returns where the MAC goes
    /// and what it covers; the caller (MeshCrypto) fills the MAC in before sending. `length` is
    /// the MAC length: 20 for SHA1; 16 to 32 in steps of 4 for SHA256 (RFC 8489 §14.6).
    public mutating func reserveIntegrity(
        _ algorithm: STUNIntegrityAlgorithm, length: Int? = nil
    ) throws(ByteWriter.Overflow) -> STUNIntegritySlot {
        let macLength = length ?? algorithm.fullLength
        switch algorithm {
        case .hmacSHA1: precondition(macLength == 20, "MESSAGE-INTEGRITY is 20 bytes (RFC 8489 §14.5)")
        case .hmacSHA256:
            precondition((16...32).contains(macLength) && macLength % 4 == 0, "RFC 8489 §14.6 MAC length")
        }
        let attributeOffset = writer.offset
        try append(algorithm.attributeType, length: macLength) { writer throws(ByteWriter.Overflow) in
            try writer.writeZeros(macLength)
        }
        // The length field now ends at this attribute, which is exactly the adjusted length
        // the MAC must be computed with, so the MAC input is one contiguous prefix.
        return STUNIntegritySlot(
            algorithm: algorithm,
            input: UnsafeRawBufferPointer(rebasing: writer.buffer[start..<attributeOffset]),
            mac: UnsafeMutableRawBufferPointer(
                rebasing: writer.buffer[attributeOffset + 4..<attributeOffset + 4 + macLength]))
    }

    /// Appends FINGERPRINT, which must be the last attribute (RFC 8489 §14.7).
    public mutating func appendFingerprint() throws(ByteWriter.Overflow) {
        let attributeOffset = writer.offset
        try append(.fingerprint, length: 4) { writer throws(ByteWriter.Overflow) in try writer.write(UInt32(0)) }
        let prefix = UnsafeRawBufferPointer(rebasing: writer.buffer[start..<attributeOffset])
        writer.buffer.storeBigEndian(STUNFingerprint.value(of: prefix), at: attributeOffset + 4)
    }

    /// Ends the message and hands back the writer, positioned after it.
    public consuming func finish() -> ByteWriter { writer }

    private func updateLength() {
        writer.buffer.storeBigEndian(UInt16(truncatingIfNeeded: count - STUNMessage.headerSize), at: start + 2)
    }
}

/// Where a message's integrity MAC goes and what it covers, handed out by
/// ``STUNMessageBuilder/reserveIntegrity(_:length:)``.
public struct STUNIntegritySlot {
    /// Which MAC to compute.
    public let algorithm: STUNIntegrityAlgorithm
    /// The MAC input: the message up to the attribute, header length already adjusted.
    public let input: UnsafeRawBufferPointer
    /// The attribute's value, to be overwritten with the (possibly truncated) MAC.
    public let mac: UnsafeMutableRawBufferPointer
}
