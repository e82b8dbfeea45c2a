/// The value of ERROR-CODE (RFC 8489 §14.8): a code from 300 to 699 and a reason phrase.
public struct STUNErrorCode {
    /// The error code, class × 100 + number (for example 401, 438).
    public let code: Int
    /// The UTF-8 reason phrase, borrowed from the message.
    public let reasonBytes: UnsafeRawBufferPointer

    /// The reason phrase as a string, for logs and control-plane callers.
    public var reason: String { String(decoding: reasonBytes, as: UTF8.self) }

    /// The most a reason phrase may take: 128 characters, up to 763 bytes (RFC 8489 §14.8).
    public static let reasonLimit = 763

    /// Decodes the value: 21 reserved bits, a 3-bit class, an 8-bit number, the phrase.
    public init(parsing attribute: STUNAttribute) throws(STUNError) {
        var reader = attribute.reader
        guard reader.skip(2), let classByte = reader.readUInt8(), let number = reader.readUInt8() else {
            throw .invalidAttributeLength(type: attribute.type.rawValue, length: attribute.value.count)
        }
        code = try Self.decodeCode(classByte: classByte, number: number)
        reasonBytes = reader.readBytes(reader.remaining) ?? UnsafeRawBufferPointer(start: nil, count: 0)
        guard reasonBytes.count <= Self.reasonLimit else {
            throw .valueTooLong(type: attribute.type.rawValue, length: reasonBytes.count, limit: Self.reasonLimit)
        }
    }

    /// The code from the class bits (low 3 bits of `classByte`) and the number byte.
    static func decodeCode(classByte: UInt8, number: UInt8) throws(STUNError) -> Int {
        let errorClass = Int(classByte & 0x07)
        let code = errorClass &* 100 &+ Int(number)
        guard (3...6).contains(errorClass), number < 100 else { throw .invalidErrorCode(code) }
        return code
    }
}

/// The value of UNKNOWN-ATTRIBUTES (RFC 8489 §14.13): attribute types read lazily, two bytes each.
public struct STUNAttributeTypeList: Sequence {
    /// The raw list, borrowed from the message.
    public let bytes: UnsafeRawBufferPointer

    /// Checks that the value is a whole number of 16-bit types.
    public init(parsing attribute: STUNAttribute) throws(STUNError) {
        guard attribute.value.count % 2 == 0 else {
            throw .invalidAttributeLength(type: attribute.type.rawValue, length: attribute.value.count)
        }
        bytes = attribute.value
    }

    /// Number of types listed.
    public var count: Int { bytes.count / 2 }

    /// Reads the list in order.
    public struct Iterator: IteratorProtocol {
        var reader: ByteReader
        /// The next type, or `nil` at the end.
        public mutating func next() -> STUNAttributeType? {
            reader.readUInt16().map(STUNAttributeType.init(rawValue:))
        }
    }

    /// An iterator from the first type.
    public func makeIterator() -> Iterator { Iterator(reader: ByteReader(bytes)) }
}

/// One password algorithm (RFC 8489 §14.11, §14.12, §18.5): an algorithm number and its
/// parameters, borrowed from the message.
public struct STUNPasswordAlgorithm {
    /// MD5, the long-term credential default (RFC 8489 §18.5).
    public static let md5: UInt16 = 0x0001
    /// SHA-256 (RFC 8489 §18.5).
    public static let sha256: UInt16 = 0x0002

    /// The algorithm number.
    public let algorithm: UInt16
    /// Its parameters (none for MD5 and SHA-256).
    public let parameters: UnsafeRawBufferPointer

    /// Reads one algorithm entry (algorithm, parameter length, padded parameters).
    init?(reading reader: inout ByteReader) {
        guard let algorithm = reader.readUInt16(), let length = reader.readUInt16(),
            let parameters = reader.readBytes(Int(length)),
            reader.skip(STUNAttribute.paddedLength(Int(length)) - Int(length))
        else { return nil }
        self.algorithm = algorithm
        self.parameters = parameters
    }

    /// Decodes PASSWORD-ALGORITHM, which holds exactly one entry.
    public init(parsing attribute: STUNAttribute) throws(STUNError) {
        var reader = attribute.reader
        guard let entry = STUNPasswordAlgorithm(reading: &reader), reader.isAtEnd else {
            throw .invalidAttributeLength(type: attribute.type.rawValue, length: attribute.value.count)
        }
        self = entry
    }
}

/// The value of PASSWORD-ALGORITHMS (RFC 8489 §14.11): a list of entries read lazily.
public struct STUNPasswordAlgorithmList: Sequence {
    /// The raw list, borrowed from the message.
    public let bytes: UnsafeRawBufferPointer

    /// Checks that the value is a whole number of well-formed entries.
    public init(parsing attribute: STUNAttribute) throws(STUNError) {
        var reader = attribute.reader
        while !reader.isAtEnd {
            guard STUNPasswordAlgorithm(reading: &reader) != nil else {
                throw .invalidAttributeLength(type: attribute.type.rawValue, length: attribute.value.count)
            }
        }
        bytes = attribute.value
    }

    /// Reads the entries in order.
    public struct Iterator: IteratorProtocol {
        var reader: ByteReader
        /// The next entry, or `nil` at the end.
        public mutating func next() -> STUNPasswordAlgorithm? { STUNPasswordAlgorithm(reading: &reader) }
    }

    /// An iterator from the first entry.
    public func makeIterator() -> Iterator { Iterator(reader: ByteReader(bytes)) }
}
