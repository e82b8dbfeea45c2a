/// Counts one incoming RTP stream for a viewer: packets, bytes, and the extended highest
/// sequence number a receiver report needs (RFC 3550 §6.4.1, §A.1). Allocation-free.
struct StreamTally: Sendable {
    /// The stream's SSRC; 0 before the first packet.
    private(set) var ssrc: UInt32 = 0
    /// Packets counted (retransmissions included).
    private(set) var packets = 0
    /// RTP bytes counted (headers included, SRTP trailer not).
    private(set) var bytes = 0
    /// The highest sequence number seen, with its wrap count in the top 16 bits.
    private(set) var extendedHighest: UInt32 = 0
    private var baseSequence: UInt32 = 0
    private var packetsSinceBase = 0

    /// Counts a packet of `length` bytes with this SSRC and sequence number.
    mutating func count(ssrc: UInt32, sequence: UInt16, length: Int) {
        if packetsSinceBase == 0 || ssrc != self.ssrc {
            self.ssrc = ssrc
            baseSequence = UInt32(sequence)
            extendedHighest = UInt32(sequence)
            packetsSinceBase = 0
        }
        packets &+= 1
        packetsSinceBase &+= 1
        bytes &+= length
        // Forward by less than half the space: newer (possibly across a wrap); else reordered.
        let step = sequence &- UInt16(truncatingIfNeeded: extendedHighest)
        if step != 0 && step < 0x8000 { extendedHighest &+= UInt32(step) }
    }

    /// Packets expected but not received since the SSRC's first packet, clamped to the
    /// 24-bit signed field of a report block (RFC 3550 §6.4.1).
    var cumulativeLost: Int32 {
        let expected = Int(extendedHighest &- baseSequence) + 1
        return Int32(max(-0x80_0000, min(0x7F_FFFF, expected - packetsSinceBase)))
    }
}
