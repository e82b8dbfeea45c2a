/// A most-significant-bit-first cursor over borrowed bytes, for the bit-packed codec headers:
/// VP9's uncompressed header (VP9 Bitstream Specification §4.9, `f(n)`) and H.264's parameter
/// sets (ITU-T H.264 §7.2, `u(n)`, `ue(v)`, `se(v)`).
///
/// With `removesEmulationPrevention`, every `emulation_prevention_three_byte` (a 0x03 after two
/// zero bytes, H.264 §7.4.1) is skipped as it is reached, so an H.264 NAL unit is read as its
/// RBSP without copying it anywhere. Reads past the end throw the error the reader was made
/// with, so a parser names its own rule; nothing traps and nothing is allocated.
struct CodecBitReader {
    /// The bytes being read.
    let bytes: UnsafeRawBufferPointer
    /// What a read past the end throws.
    let truncated: CodecPayloadError
    /// Whether 0x000003 sequences lose their 0x03 (H.264 NAL unit payloads).
    let removesEmulationPrevention: Bool
    /// The index of the next byte to load into `current`.
    private var nextByte = 0
    /// The byte being read, left-aligned: its unread bits are the top `bitsLeft` bits.
    private var current: UInt8 = 0
    /// How many bits of `current` are still unread.
    private var bitsLeft = 0
    /// How many zero bytes came just before `nextByte` in the escaped stream.
    private var zeroRun = 0

    /// A reader at the first bit of `bytes`.
    init(_ bytes: UnsafeRawBufferPointer, truncated: CodecPayloadError, removesEmulationPrevention: Bool = false) {
        self.bytes = bytes
        self.truncated = truncated
        self.removesEmulationPrevention = removesEmulationPrevention
    }

    /// Loads the next byte of the (unescaped) stream into `current`.
    private mutating func load() throws(CodecPayloadError) {
        guard nextByte < bytes.count else { throw truncated }
        var byte = bytes[nextByte]
        nextByte += 1
        if removesEmulationPrevention && zeroRun >= 2 && byte == 0x03 {
            // H.264 §7.4.1: the 0x03 is not part of the RBSP; the count starts again after it.
            zeroRun = 0
            guard nextByte < bytes.count else { throw truncated }
            byte = bytes[nextByte]
            nextByte += 1
        }
        zeroRun = byte == 0 ? zeroRun + 1 : 0
        current = byte
        bitsLeft = 8
    }

    /// Reads one bit.
    mutating func bit() throws(CodecPayloadError) -> Bool {
        if bitsLeft == 0 { try load() }
        bitsLeft -= 1
        return (current >> bitsLeft) & 1 != 0
    }

    /// Reads `count` bits (0–32) as an unsigned big-endian number: `f(n)` and `u(n)`.
    mutating func bits(_ count: Int) throws(CodecPayloadError) -> UInt32 {
        precondition(count >= 0 && count <= 32, "a caller asks for a fixed width")
        var value: UInt32 = 0
        var needed = count
        while needed > 0 {
            if bitsLeft == 0 { try load() }
            let take = min(needed, bitsLeft)
            let chunk = UInt32(current >> (bitsLeft - take)) & (UInt32(1) << take - 1)
            value = value << take | chunk
            bitsLeft -= take
            needed -= take
        }
        return value
    }

    /// Skips `count` bits.
    mutating func skip(_ count: Int) throws(CodecPayloadError) {
        var left = count
        while left > 0 {
            let step = min(left, 32)
            _ = try bits(step)
            left -= step
        }
    }

    /// Reads an unsigned Exp-Golomb code, `ue(v)` (H.264 §9.1): `leadingZeroBits` zeros, a one,
    /// then that many bits. Codes longer than 32 bits describe values past `UInt32` (§9.1 caps
    /// `ue(v)` at 2^32 − 2), so they throw `invalid` rather than wrap.
    mutating func unsignedExpGolomb(invalid: CodecPayloadError) throws(CodecPayloadError) -> UInt32 {
        var leadingZeroBits = 0
        while try !bit() {
            leadingZeroBits += 1
            guard leadingZeroBits < 32 else { throw invalid }
        }
        let suffix = try bits(leadingZeroBits)
        return UInt32((UInt64(1) << leadingZeroBits) - 1 + UInt64(suffix))
    }

    /// Reads a signed Exp-Golomb code, `se(v)` (H.264 §9.1.1): code k maps to
    /// (−1)^(k+1) × ⌈k ÷ 2⌉.
    mutating func signedExpGolomb(invalid: CodecPayloadError) throws(CodecPayloadError) -> Int64 {
        let code = Int64(try unsignedExpGolomb(invalid: invalid))
        return code & 1 == 1 ? (code + 1) / 2 : -(code / 2)
    }
}
