/// A cursor over borrowed bytes that reads network-order (big-endian) fields.
///
/// Every read returns `nil` when too few bytes remain, so a parser built on it cannot trap on
/// truncated input. It copies nothing and allocates nothing: the bytes stay owned by the caller
/// and must outlive the reader.
public struct ByteReader {
    /// The bytes being read.
    public let bytes: UnsafeRawBufferPointer
    /// The index of the next byte to read.
    public private(set) var offset: Int

    /// A reader positioned at `offset` within `bytes`.
    public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = min(max(offset, 0), bytes.count)
    }

    /// How many bytes are left to read.
    public var remaining: Int { bytes.count - offset }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { offset >= bytes.count }

    /// Reads one byte.
    public mutating func readUInt8() -> UInt8? {
        guard remaining >= 1 else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Reads a 16-bit big-endian integer.
    public mutating func readUInt16() -> UInt16? {
        guard remaining >= 2 else { return nil }
        defer { offset += 2 }
        return bytes.bigEndianUInt16(at: offset)
    }

    /// Reads a 24-bit big-endian integer into the low bits of a `UInt32`.
    public mutating func readUInt24() -> UInt32? {
        guard remaining >= 3 else { return nil }
        defer { offset += 3 }
        return UInt32(bytes[offset]) << 16 | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2])
    }

    /// Reads a 32-bit big-endian integer.
    public mutating func readUInt32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        defer { offset += 4 }
        return bytes.bigEndianUInt32(at: offset)
    }

    /// Reads a 64-bit big-endian integer.
    public mutating func readUInt64() -> UInt64? {
        guard remaining >= 8 else { return nil }
        defer { offset += 8 }
        return UInt64(bytes.bigEndianUInt32(at: offset)) << 32 | UInt64(bytes.bigEndianUInt32(at: offset + 4))
    }

    /// Borrows the next `count` bytes without copying them.
    public mutating func readBytes(_ count: Int) -> UnsafeRawBufferPointer? {
        guard count >= 0, remaining >= count else { return nil }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    /// Skips `count` bytes; returns `false` (and moves nothing) when fewer remain.
    @discardableResult public mutating func skip(_ count: Int) -> Bool {
        guard count >= 0, remaining >= count else { return false }
        offset += count
        return true
    }
}

extension UnsafeRawBufferPointer {
    /// The 16-bit big-endian integer at `offset`; the caller has checked the bounds.
    public func bigEndianUInt16(at offset: Int) -> UInt16 {
        UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }

    /// The 32-bit big-endian integer at `offset`; the caller has checked the bounds.
    public func bigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16
            | UInt32(self[offset + 2]) << 8 | UInt32(self[offset + 3])
    }
}
