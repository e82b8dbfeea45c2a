/// FINGERPRINT (RFC 8489 §14.7): the CRC-32 of the message before the attribute, XORed with
/// 0x5354554E, which tells STUN apart from other protocols sharing a port.
extension STUNMessage {
    /// The constant the CRC is XORed with ("STUN" in ASCII).
    public static let fingerprintXOR: UInt32 = 0x5354_554E

    /// The fingerprint of the first `count` bytes of a message whose length field already
    /// counts the FINGERPRINT attribute.
    public static func fingerprint(of prefix: UnsafeRawBufferPointer) -> UInt32 {
        CRC32.checksum(prefix) ^ fingerprintXOR
    }

    /// Whether the FINGERPRINT matches the message; `nil` when the message has none.
    public var fingerprintIsValid: Bool? {
        guard let offset = fingerprintOffset else { return nil }
        var reader = ByteReader(bytes, offset: offset + 4)
        guard let carried = reader.readUInt32() else { return false }
        // FINGERPRINT is last, so the header's length already covers it as §14.7 requires.
        return carried == Self.fingerprint(of: UnsafeRawBufferPointer(rebasing: bytes[..<offset]))
    }
}
