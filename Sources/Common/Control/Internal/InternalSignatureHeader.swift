/// The parsed `X-Meshcast-Signature` value, `t=<digits>,n=<32 hex>,v=<64 hex>` in any order.
/// Unknown or repeated keys are refused, so that nothing in the header is ignored silently.
struct InternalSignatureHeader {
    let time: Int64
    let nonce: InternalRequestNonce
    let mac: [UInt8]

    /// The longest header read; a good one is about 120 bytes.
    static let maximumLength = 512

    init(parsing header: String) throws(InternalRequestSignature.Rejection) {
        guard header.utf8.count <= Self.maximumLength else {
            throw .malformed("longer than \(Self.maximumLength) bytes")
        }
        var time: Int64?
        var nonce: InternalRequestNonce?
        var mac: [UInt8]?
        for part in header.split(separator: ",") {
            let pair = part.trimmingWhitespace().split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { throw .malformed("'\(part.prefix(40))' is not key=value") }
            switch pair[0] {
            case "t":
                guard time == nil, (1...18).contains(pair[1].count),
                    pair[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                    let value = Int64(pair[1])
                else { throw .malformed("t must appear once as unix seconds") }
                time = value
            case "n":
                guard nonce == nil, let value = InternalRequestNonce(hex: pair[1]) else {
                    throw .malformed("n must appear once as 32 hex digits (a 128-bit nonce)")
                }
                nonce = value
            case "v":
                guard mac == nil, let bytes = Self.bytes(ofHex: pair[1]), bytes.count == 32 else {
                    throw .malformed("v must appear once as 64 hex digits")
                }
                mac = bytes
            default:
                throw .malformed("unknown key '\(pair[0].prefix(20))'")
            }
        }
        guard let time, let nonce, let mac else { throw .malformed("needs t=, n= and v=") }
        self.time = time
        self.nonce = nonce
        self.mac = mac
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func bytes(ofHex text: Substring) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count.isMultiple(of: 2) else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x61...0x66: digit - 0x61 + 10
        case 0x41...0x46: digit - 0x41 + 10
        default: nil
        }
    }

    /// Compares every byte whatever the first difference, so the time taken says nothing about
    /// how much of a forged MAC was right.
    static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices {
            difference |= left[index] ^ right[index]
        }
        return difference == 0
    }
}
