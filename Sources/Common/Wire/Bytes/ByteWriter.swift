/// A cursor that writes network-order (big-endian) fields into a caller-owned buffer.
///
/// Serializers write into buffers they are given (a pooled packet buffer on the hot path), so
/// nothing here allocates. A write that does not fit throws ``ByteWriter/Overflow`` and leaves
/// the cursor where it was.
public struct ByteWriter {
    /// Thrown when a write would run past the end of the buffer.
    public struct Overflow: Error, Equatable, CustomStringConvertible {
        /// Bytes the write needed.
        public let needed: Int
        /// Bytes that were left.
        public let available: Int
        public var description: String { "buffer too small: needed \(needed) bytes, \(available) left" }
    }

    /// The buffer being written.
    public let buffer: UnsafeMutableRawBufferPointer
    /// The index of the next byte to write; also the number of bytes written from the start.
    public private(set) var offset: Int

    /// A writer positioned at `offset` within `buffer`.
    public init(_ buffer: UnsafeMutableRawBufferPointer, offset: Int = 0) {
        self.buffer = buffer
        self.offset = min(max(offset, 0), buffer.count)
    }

    /// How many bytes can still be written.
    public var remaining: Int { buffer.count - offset }

    mutating func reserve(_ count: Int) throws(Overflow) -> Int {
        guard remaining >= count else { throw Overflow(needed: count, available: remaining) }
        defer { offset += count }
        return offset
    }

    /// Writes one byte.
    public mutating func write(_ value: UInt8) throws(Overflow) {
        buffer[try reserve(1)] = value
    }

    /// Writes a 16-bit integer big-endian.
    public mutating func write(_ value: UInt16) throws(Overflow) {
        buffer.storeBigEndian(value, at: try reserve(2))
    }

    /// Writes the low 24 bits of `value` big-endian.
    public mutating func writeUInt24(_ value: UInt32) throws(Overflow) {
        let at = try reserve(3)
        buffer[at] = UInt8(truncatingIfNeeded: value >> 16)
        buffer[at + 1] = UInt8(truncatingIfNeeded: value >> 8)
        buffer[at + 2] = UInt8(truncatingIfNeeded: value)
    }

    /// Writes a 32-bit integer big-endian.
    public mutating func write(_ value: UInt32) throws(Overflow) {
        buffer.storeBigEndian(value, at: try reserve(4))
    }

    /// Writes a 64-bit integer big-endian.
    public mutating func write(_ value: UInt64) throws(Overflow) {
        let at = try reserve(8)
        buffer.storeBigEndian(UInt32(truncatingIfNeeded: value >> 32), at: at)
        buffer.storeBigEndian(UInt32(truncatingIfNeeded: value), at: at + 4)
    }

    /// Copies `bytes` in.
    public mutating func write(bytes: UnsafeRawBufferPointer) throws(Overflow) {
        let at = try reserve(bytes.count)
        if bytes.count > 0 {
            UnsafeMutableRawBufferPointer(rebasing: buffer[at..<at + bytes.count]).copyMemory(from: bytes)
        }
    }

    /// Copies the bytes of a collection in (for control-plane callers with arrays).
    public mutating func write<C: Collection>(contentsOf bytes: C) throws(Overflow) where C.Element == UInt8 {
        var at = try reserve(bytes.count)
        for byte in bytes {
            buffer[at] = byte
            at += 1
        }
    }

    /// Writes `count` zero bytes (padding).
    public mutating func writeZeros(_ count: Int) throws(Overflow) {
        let at = try reserve(count)
        for index in at..<at + count { buffer[index] = 0 }
    }
}

extension UnsafeMutableRawBufferPointer {
    /// Stores `value` big-endian at `offset`; the caller has checked the bounds.
    public func storeBigEndian(_ value: UInt16, at offset: Int) {
        self[offset] = UInt8(truncatingIfNeeded: value >> 8)
        self[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    /// Stores `value` big-endian at `offset`; the caller has checked the bounds.
    public func storeBigEndian(_ value: UInt32, at offset: Int) {
        self[offset] = UInt8(truncatingIfNeeded: value >> 24)
        self[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
        self[offset + 2] = UInt8(truncatingIfNeeded: value >> 8)
        self[offset + 3] = UInt8(truncatingIfNeeded: value)
    }
}
