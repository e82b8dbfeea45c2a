/// Why bytes are not a valid RTCP packet, or a packet cannot be written; each case names the
/// rule it breaks.
public enum RTCPError: Error, Equatable, CustomStringConvertible {
    /// RFC 3550 §6.4.1: every RTCP packet starts with a 4-byte common header.
    case truncatedHeader(available: Int)
    /// RFC 3550 §6.4.1: the version field must be 2.
    case unsupportedVersion(UInt8)
    /// RFC 3550 §6.4.1: the length field (32-bit words minus one) runs past the bytes given.
    case lengthOverrunsBuffer(declared: Int, available: Int)
    /// RFC 3550 §6.4.1: the padding count in the last octet includes itself and must fit the body.
    case invalidPaddingCount(count: Int, available: Int)
    /// RFC 3550 §A.2: only the last packet of a compound packet may be padded.
    case paddingNotLast(offset: Int)
    /// A single-packet parse was given bytes beyond the packet's length field.
    case trailingBytes(Int)
    /// The packet type (and feedback format) is not the one this parser reads.
    case unexpectedPacketType(packetType: UInt8, format: UInt8)
    /// The body is shorter than its fixed fields plus what its count field announces.
    case bodyTooShort(packetType: UInt8, needed: Int, available: Int)
    /// RFC 3550 §6.5: an SDES item runs past its packet, or a chunk lacks its null terminator.
    case malformedSourceDescription(offset: Int)
    /// RFC 3550 §6.6: the BYE reason's length octet runs past the packet.
    case goodbyeReasonOverrun(length: Int, available: Int)
    /// RFC 4585 §6.1 (NACK §6.2.1, FIR RFC 5104 §4.3.1): the FCI is not a whole number of entries.
    case partialFeedbackEntry(fciLength: Int, entrySize: Int)
    /// draft-alvestrand-rmcat-remb §2.2: the unique identifier must be the ASCII 'REMB'.
    case missingREMBIdentifier
    /// draft-alvestrand-rmcat-remb §2.2: 'Num SSRC' disagrees with the bytes that follow.
    case rembSSRCCountMismatch(declared: Int, available: Int)
    /// draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.3: status symbol 3 is reserved.
    case reservedPacketStatusSymbol(offset: Int)
    /// draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1: chunks or deltas run past the packet.
    case packetStatusOverrun(needed: Int, available: Int)
    /// A count field (5 bits in RFC 3550 §6.4.1) or list cannot hold this many entries.
    case tooManyEntries(count: Int, limit: Int)
    /// A value handed to a builder does not fit its wire field.
    case valueOutOfRange(field: String)
    /// The caller's buffer cannot hold what is being written.
    case bufferTooSmall(ByteWriter.Overflow)

    public var description: String {
        switch self {
        case .truncatedHeader(let available):
            "RFC 3550 §6.4.1: RTCP common header needs 4 bytes, \(available) left"
        case .unsupportedVersion(let version):
            "RFC 3550 §6.4.1: RTCP version must be 2, got \(version)"
        case .lengthOverrunsBuffer(let declared, let available):
            "RFC 3550 §6.4.1: length field says \(declared) bytes, \(available) left"
        case .invalidPaddingCount(let count, let available):
            "RFC 3550 §6.4.1: padding count \(count) must be 1...\(available)"
        case .paddingNotLast(let offset):
            "RFC 3550 §A.2: padded RTCP packet at offset \(offset) is not the last of its compound"
        case .trailingBytes(let count):
            "RFC 3550 §6.4.1: \(count) bytes follow the packet's length"
        case .unexpectedPacketType(let type, let format):
            "RTCP packet type \(type) format \(format) is not the one expected"
        case .bodyTooShort(let type, let needed, let available):
            "RFC 3550 §6.4: packet type \(type) needs \(needed) body bytes, has \(available)"
        case .malformedSourceDescription(let offset):
            "RFC 3550 §6.5: SDES chunk malformed at body offset \(offset)"
        case .goodbyeReasonOverrun(let length, let available):
            "RFC 3550 §6.6: BYE reason of \(length) bytes, \(available) left"
        case .partialFeedbackEntry(let length, let size):
            "RFC 4585 §6.1: FCI of \(length) bytes is not whole \(size)-byte entries"
        case .missingREMBIdentifier:
            "draft-alvestrand-rmcat-remb §2.2: identifier must be 'REMB'"
        case .rembSSRCCountMismatch(let declared, let available):
            "draft-alvestrand-rmcat-remb §2.2: Num SSRC \(declared), room for \(available)"
        case .reservedPacketStatusSymbol(let offset):
            "draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.3: reserved status symbol at \(offset)"
        case .packetStatusOverrun(let needed, let available):
            "draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1: needs \(needed) bytes, has \(available)"
        case .tooManyEntries(let count, let limit):
            "RTCP: \(count) entries exceed the field's limit of \(limit)"
        case .valueOutOfRange(let field):
            "RTCP: \(field) does not fit its wire field"
        case .bufferTooSmall(let overflow):
            "RTCP: \(overflow)"
        }
    }
}
