/// FINGERPRINT (RFC 8489 §14.7): the CRC-32 of the message before the attribute, XORed with
/// 0x5354554E, which tells STUN apart from other protocols sharing a port.
///
/// One place computes it for both directions: ``STUNMessageBuilder/appendFingerprint()`` writes
/// it and ``STUNMessage/fingerprintIsValid`` checks it.
public enum STUNFingerprint {
    /// The constant the CRC is XORed with ("STUN" in ASCII).
    public static let xorConstant: UInt32 = 0x5354_554E

    /// The fingerprint of `prefix`: the first bytes of a message, up to the FINGERPRINT
    /// attribute, whose length field already counts that attribute.
    public static func value(of prefix: UnsafeRawBufferPointer) -> UInt32 {
        CRC32.checksum(prefix) ^ xorConstant
    }

    /// Whether the FINGERPRINT attribute whose header starts at `offset` in `message` carries
    /// the fingerprint of the bytes before it.
    static func isValid(in message: UnsafeRawBufferPointer, attributeOffset offset: Int) -> Bool {
        var reader = ByteReader(message, offset: offset + 4)
        guard let carried = reader.readUInt32() else { return false }
        // FINGERPRINT is last, so the header's length already covers it as §14.7 requires.
        return carried == value(of: UnsafeRawBufferPointer(rebasing: message[..<offset]))
    }
}
