/// The 96-bit transaction identifier of a STUN message (RFC 8489 §5), held as two integers so
/// that it is a small, hashable value with no storage behind it.
public struct STUNTransactionID: Hashable, Sendable, CustomStringConvertible {
    /// Bytes 0-3 of the identifier, big-endian.
    public var high: UInt32
    /// Bytes 4-11 of the identifier, big-endian.
    public var low: UInt64

    /// An identifier from its two halves.
    public init(high: UInt32, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Reads the 12 bytes at the reader's position; `nil` when fewer remain.
    public init?(reading reader: inout ByteReader) {
        guard reader.remaining >= 12, let high = reader.readUInt32(), let low = reader.readUInt64() else {
            return nil
        }
        self.init(high: high, low: low)
    }

    /// A fresh identifier from the system's cryptographically secure generator, as RFC 8489
    /// §5 asks so that off-path attackers cannot forge responses.
    public static func random() -> STUNTransactionID {
        var generator = SystemRandomNumberGenerator()
        return STUNTransactionID(high: generator.next(), low: generator.next())
    }

    /// Writes the 12 bytes.
    public func write(into writer: inout ByteWriter) throws(ByteWriter.Overflow) {
        guard writer.remaining >= 12 else { throw ByteWriter.Overflow(needed: 12, available: writer.remaining) }
        try writer.write(high)
        try writer.write(low)
    }

    public var description: String {
        let hex = String(high, radix: 16) + ":" + String(low, radix: 16)
        return "txid(\(hex))"
    }
}
