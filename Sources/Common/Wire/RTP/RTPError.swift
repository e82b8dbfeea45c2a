/// Why bytes are not a valid RTP packet, or a header cannot be written; each case names the
/// RFC 3550 rule it breaks.
public enum RTPError: Error, Equatable, CustomStringConvertible {
    /// RFC 3550 §5.1: the fixed header is 12 bytes, followed by 4 bytes per CSRC and the
    /// extension; the packet ends before `needed` bytes.
    case truncatedHeader(needed: Int, available: Int)
    /// RFC 3550 §5.1: the version field must be 2.
    case unsupportedVersion(UInt8)
    /// RFC 3550 §5.1: the padding count in the last octet includes itself, so it cannot be zero,
    /// and (§A.1) it must fit in what follows the header.
    case invalidPaddingCount(count: Int, available: Int)
    /// RFC 3550 §5.1: CC is 4 bits, so at most 15 CSRCs.
    case tooManyCSRCs(Int)
    /// RFC 3550 §5.1: the payload type is 7 bits.
    case payloadTypeOutOfRange(UInt8)
    /// RFC 3550 §5.3.1: header extension data is a whole number of 32-bit words (at most 65535).
    case extensionNotWordAligned(byteCount: Int)
    /// RFC 3550 §5.1: padding is 1 to 255 octets including the count octet.
    case paddingLengthOutOfRange(Int)
    /// The caller's buffer cannot hold what is being written (nothing was written).
    case bufferTooSmall(ByteWriter.Overflow)

    public var description: String {
        switch self {
        case .truncatedHeader(let needed, let available):
            "RFC 3550 §5.1: RTP header needs \(needed) bytes, packet has \(available)"
        case .unsupportedVersion(let version):
            "RFC 3550 §5.1: RTP version must be 2, got \(version)"
        case .invalidPaddingCount(let count, let available):
            "RFC 3550 §5.1/§A.1: padding count \(count) must be 1...\(available)"
        case .tooManyCSRCs(let count):
            "RFC 3550 §5.1: at most 15 CSRCs, got \(count)"
        case .payloadTypeOutOfRange(let type):
            "RFC 3550 §5.1: payload type is 7 bits, got \(type)"
        case .extensionNotWordAligned(let count):
            "RFC 3550 §5.3.1: header extension must be whole 32-bit words (≤ 65535), got \(count) bytes"
        case .paddingLengthOutOfRange(let length):
            "RFC 3550 §5.1: padding must be 0...255 octets, got \(length)"
        case .bufferTooSmall(let overflow):
            "RTP: \(overflow)"
        }
    }
}
