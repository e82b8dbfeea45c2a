/// One attribute of a parsed message: its type and its value, borrowed from the message.
public struct STUNAttribute {
    /// The attribute type.
    public let type: STUNAttributeType
    /// The value, without padding.
    public let value: UnsafeRawBufferPointer
    /// Offset of the attribute's 4-byte header within the message.
    public let offset: Int

    /// The value length rounded up to the 4-byte boundary attributes are padded to (RFC 8489 §14).
    public static func paddedLength(_ length: Int) -> Int { (length &+ 3) & ~3 }

    /// Throws unless the value is exactly `length` bytes long.
    public func requireLength(_ length: Int) throws(STUNError) {
        guard value.count == length else {
            throw .invalidAttributeLength(type: type.rawValue, length: value.count)
        }
    }

    /// The value as a reader, for typed decoders.
    public var reader: ByteReader { ByteReader(value) }
}

/// The honoured attributes of a message, in order, read lazily from its bytes.
///
/// Attributes after MESSAGE-INTEGRITY other than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT,
/// and attributes after MESSAGE-INTEGRITY-SHA256 other than FINGERPRINT, are skipped
/// (RFC 8489 §14.5, §14.6). The message was validated when parsed, so iteration cannot fail.
public struct STUNAttributes: Sequence {
    let message: UnsafeRawBufferPointer

    /// Walks the attribute list.
    public struct Iterator: IteratorProtocol {
        var reader: ByteReader
        var ordering = STUNAttributeOrdering()

        /// The next honoured attribute, or `nil` at the end.
        public mutating func next() -> STUNAttribute? {
            while true {
                let offset = reader.offset
                guard let code = reader.readUInt16(), let length = reader.readUInt16(),
                    let value = reader.readBytes(Int(length)),
                    reader.skip(STUNAttribute.paddedLength(Int(length)) - Int(length))
                else { return nil }
                let type = STUNAttributeType(rawValue: code)
                if ordering.accepts(type) { return STUNAttribute(type: type, value: value, offset: offset) }
            }
        }
    }

    /// An iterator from the first attribute.
    public func makeIterator() -> Iterator {
        Iterator(reader: ByteReader(message, offset: STUNMessage.headerSize))
    }
}
