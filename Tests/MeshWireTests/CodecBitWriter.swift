/// Writes bit-packed headers for hand-made test vectors: VP9's `f(n)` (VP9 Bitstream
/// Specification §4.9) and H.264's `u(n)`, `ue(v)`, `se(v)` (ITU-T H.264 §7.2, §9.1), plus
/// H.264 emulation prevention (§7.4.1). Written here rather than with MeshWire, so a parser
/// test does not check the reader against itself.
struct CodecBitWriter {
    /// The bytes so far; a partial last byte is zero-padded.
    private(set) var bytes: [UInt8] = []
    private var bitCount = 0

    /// Appends the low `count` bits of `value`, most significant first.
    mutating func bits(_ value: UInt64, _ count: Int) {
        for shift in stride(from: count - 1, through: 0, by: -1) {
            if bitCount % 8 == 0 { bytes.append(0) }
            if (value >> UInt64(shift)) & 1 == 1 { bytes[bytes.count - 1] |= 0x80 >> UInt8(bitCount % 8) }
            bitCount += 1
        }
    }

    /// Appends one bit.
    mutating func flag(_ value: Bool) { bits(value ? 1 : 0, 1) }

    /// Appends `ue(v)`: as many zeros as the bits of `value + 1` after its leading one, then
    /// `value + 1` itself.
    mutating func ue(_ value: UInt64) {
        let code = value + 1
        let width = 64 - code.leadingZeroBitCount
        bits(0, width - 1)
        bits(code, width)
    }

    /// Appends `se(v)`: positive k as code 2k − 1, negative k as code −2k.
    mutating func se(_ value: Int64) {
        ue(value > 0 ? UInt64(2 * value - 1) : UInt64(-2 * value))
    }

    /// Appends rbsp_trailing_bits (§7.3.2.11): a one, then zeros to the byte boundary.
    mutating func trailingBits() {
        flag(true)
        while bitCount % 8 != 0 { flag(false) }
    }

    /// The NAL unit payload for `rbsp`: a 0x03 after every two zero bytes that precede a byte
    /// of 0x00–0x03 (§7.4.1), so the payload holds no start code.
    static func escaped(_ rbsp: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var zeros = 0
        for byte in rbsp {
            if zeros >= 2 && byte <= 0x03 {
                out.append(0x03)
                zeros = 0
            }
            out.append(byte)
            zeros = byte == 0 ? zeros + 1 : 0
        }
        return out
    }
}
