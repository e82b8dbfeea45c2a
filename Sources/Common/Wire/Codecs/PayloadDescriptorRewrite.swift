/// Why an in-place rewrite of a VP8 or VP9 payload descriptor field could not happen.
public enum PayloadDescriptorRewriteError: Error, Equatable, Sendable {
    /// The descriptor has no such field (its flag bit is clear); a rewrite never grows it.
    case fieldAbsent
    /// The buffer is not the one the descriptor was parsed from (too short for the offset).
    case bufferMismatch
}

/// The in-place rewrites VP8 (RFC 7741 §4.2) and VP9 (RFC 9628 §4.2) share: both descriptors
/// carry a PictureID of 7 or 15 bits (M bit) and a TL0PICIDX byte at offsets found by parsing.
/// An SFU switching layers renumbers them so that the receiver sees one continuous sequence.
enum PayloadDescriptorRewrite {
    /// Writes `value`, truncated to the field's 7 or 15 bits, at `offset` (-1: field absent).
    static func pictureID(
        _ value: UInt16, at offset: Int, isLong: Bool, in payload: UnsafeMutableRawBufferPointer
    ) throws(PayloadDescriptorRewriteError) {
        guard offset >= 0 else { throw .fieldAbsent }
        if isLong {
            guard payload.count >= offset &+ 2 else { throw .bufferMismatch }
            payload[offset] = 0x80 | UInt8(truncatingIfNeeded: value >> 8) & 0x7F
            payload[offset + 1] = UInt8(truncatingIfNeeded: value)
        } else {
            guard payload.count > offset else { throw .bufferMismatch }
            payload[offset] = UInt8(truncatingIfNeeded: value) & 0x7F
        }
    }

    /// Writes TL0PICIDX at `offset` (-1: field absent).
    static func tl0PictureIndex(
        _ value: UInt8, at offset: Int, in payload: UnsafeMutableRawBufferPointer
    ) throws(PayloadDescriptorRewriteError) {
        guard offset >= 0 else { throw .fieldAbsent }
        guard payload.count > offset else { throw .bufferMismatch }
        payload[offset] = value
    }
}
