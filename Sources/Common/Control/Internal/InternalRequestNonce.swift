/// The 128-bit random value that makes every signed internal request unique, so that the
/// receiving node can refuse a second use of the same signature (``InternalNonceMemory``).
/// It travels as 32 hex digits, `n=` in the ``InternalRequestSignature`` header.
public struct InternalRequestNonce: Sendable, Hashable, CustomStringConvertible {
    /// The first 64 bits.
    public let high: UInt64
    /// The last 64 bits.
    public let low: UInt64

    /// A nonce from its two halves (tests; senders use ``random()``).
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A fresh nonce from the system's cryptographic random source (`getrandom(2)` on Linux).
    /// Honest senders collide only after about 2^64 requests (the birthday bound), far beyond
    /// any mesh's traffic in one replay window.
    public static func random() -> InternalRequestNonce {
        var generator = SystemRandomNumberGenerator()
        return InternalRequestNonce(high: generator.next(), low: generator.next())
    }

    /// Exactly 32 hex digits (either case); `nil` for anything else.
    init?(hex text: Substring) {
        guard text.utf8.count == 32, let high = UInt64(text.prefix(16), radix: 16),
            let low = UInt64(text.suffix(16), radix: 16), text.utf8.allSatisfy(Self.isHexDigit)
        else { return nil }
        self.init(high: high, low: low)
    }

    /// 32 lowercase hex digits.
    public var description: String { Self.padded(high) + Self.padded(low) }

    private static func padded(_ half: UInt64) -> String {
        let digits = String(half, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    // `UInt64(_:radix:)` also takes a leading sign, so the digits are checked on their own.
    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x46, 0x61...0x66: true
        default: false
        }
    }
}
