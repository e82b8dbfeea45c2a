/// Why an RFC 8285 header extension block is malformed or an element cannot be written; each
/// case names the rule it breaks.
public enum RTPHeaderExtensionError: Error, Equatable, CustomStringConvertible {
    /// RFC 8285 §4.2/§4.3: an element's length runs past the end of the extension block.
    case elementOverrunsBlock(id: UInt8, offset: Int)
    /// RFC 8285 §4.1: the profile field is neither 0xBEDE (one-byte) nor 0x100x (two-byte).
    case notRFC8285Profile(UInt16)
    /// RFC 8285 §4.2: one-byte IDs are 1...14; §4.3: two-byte IDs are 1...255 (0 is padding).
    case idOutOfRange(UInt8)
    /// RFC 8285 §4.3: a two-byte element carries at most 255 bytes.
    case valueTooLong(Int)
    /// RFC 8285 §4.1: an ID appears at most once in a packet, so adding it again is refused.
    case duplicateID(UInt8)
    /// RFC 8285 §4.1: no element with this ID in the packet.
    case missingID(UInt8)
    /// In-place rewrites keep the element's length; the new value has a different one.
    case valueLengthMismatch(expected: Int, got: Int)
    /// The packet has no header extension to read or rewrite.
    case noHeaderExtension
    /// The packet is not valid RTP.
    case invalidPacket(RTPError)
    /// RFC 3550 §5.3.1: the rebuilt block would exceed 65535 words.
    case blockTooLong(Int)

    public var description: String {
        switch self {
        case .elementOverrunsBlock(let id, let offset):
            "RFC 8285 §4.2/§4.3: element id \(id) at offset \(offset) overruns the extension block"
        case .notRFC8285Profile(let profile):
            "RFC 8285 §4.1: profile 0x\(String(profile, radix: 16)) is neither 0xBEDE nor 0x100X"
        case .idOutOfRange(let id):
            "RFC 8285 §4.2/§4.3: extension id \(id) out of range"
        case .valueTooLong(let count):
            "RFC 8285 §4.3: extension value of \(count) bytes exceeds 255"
        case .duplicateID(let id):
            "RFC 8285 §4.1: extension id \(id) already present"
        case .missingID(let id):
            "RFC 8285 §4.1: no extension element with id \(id)"
        case .valueLengthMismatch(let expected, let got):
            "RFC 8285: in-place rewrite needs \(expected) bytes, got \(got)"
        case .noHeaderExtension:
            "RFC 3550 §5.3.1: packet has no header extension"
        case .invalidPacket(let error):
            error.description
        case .blockTooLong(let count):
            "RFC 3550 §5.3.1: header extension of \(count) bytes exceeds 65535 words"
        }
    }
}
