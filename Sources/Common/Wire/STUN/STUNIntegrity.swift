/// The two message-integrity attributes: HMAC-SHA1 in MESSAGE-INTEGRITY (RFC 8489 §14.5) and
/// HMAC-SHA256 in MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6).
///
/// MeshWire only says which bytes are MACed and where the MAC sits; computing HMACs is
/// MeshCrypto's job (see `Sources/Common/Crypto/STUN`), so that this module needs no OpenSSL.
public enum STUNIntegrityAlgorithm: Sendable, CaseIterable {
    /// HMAC-SHA1, 20 bytes, in MESSAGE-INTEGRITY.
    case hmacSHA1
    /// HMAC-SHA256, 16 to 32 bytes (truncated in steps of 4), in MESSAGE-INTEGRITY-SHA256.
    case hmacSHA256

    /// The attribute that carries this MAC.
    public var attributeType: STUNAttributeType {
        switch self {
        case .hmacSHA1: .messageIntegrity
        case .hmacSHA256: .messageIntegritySHA256
        }
    }

    /// The full HMAC output length.
    public var fullLength: Int {
        switch self {
        case .hmacSHA1: 20
        case .hmacSHA256: 32
        }
    }
}

/// What a message's integrity MAC covers, borrowed from a parsed message.
///
/// The MAC is computed over the message up to the integrity attribute, with the header's
/// length field set as if that attribute were the last one (RFC 8489 §14.5, §14.6). That
/// adjusted header is the only part that differs from the received bytes, so it is copied into
/// 20 bytes on the stack by ``withAdjustedHeader(_:)`` and the rest, ``body``, is borrowed.
public struct STUNIntegrityInput {
    /// Which MAC this is.
    public let algorithm: STUNIntegrityAlgorithm
    /// The whole message.
    public let message: UnsafeRawBufferPointer
    /// Offset of the integrity attribute's header.
    public let attributeOffset: Int
    /// The MAC the message carries (20 bytes for SHA1, 16 to 32 for SHA256).
    public let mac: UnsafeRawBufferPointer

    /// The length field value the MAC was computed with: attributes up to and including the
    /// integrity attribute.
    public var adjustedLength: UInt16 {
        UInt16(truncatingIfNeeded: attributeOffset &+ 4 &+ mac.count &- STUNMessage.headerSize)
    }

    /// Bytes 20 up to the integrity attribute: the MAC input after the header, as received.
    public var body: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: message[STUNMessage.headerSize..<attributeOffset])
    }

    /// Calls `body` with the 20-byte header whose length field is ``adjustedLength``; the MAC
    /// input is that header followed by ``body``.
    public func withAdjustedHeader<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        var header: (UInt64, UInt64, UInt32) = (0, 0, 0)
        return try withUnsafeMutableBytes(of: &header) { header in
            header.copyMemory(from: UnsafeRawBufferPointer(rebasing: message[..<STUNMessage.headerSize]))
            header.storeBigEndian(adjustedLength, at: 2)
            return try body(UnsafeRawBufferPointer(header))
        }
    }
}
