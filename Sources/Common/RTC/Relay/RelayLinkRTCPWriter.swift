import MeshWire

/// Writes the few RTCP packets a relay link sends straight into a caller's buffer, without the
/// arrays MeshWire's general builders take, so that feedback allocates nothing.
///
/// Each is a single packet (reduced-size RTCP, RFC 5506 §3): both ends of a link are Meshcast
/// nodes, so the compound rule of RFC 3550 §6.1 buys nothing but bytes.
enum RelayLinkRTCPWriter {
    /// The first header byte: version 2 (RFC 3550 §6.4.1), no padding, `count` in 5 bits.
    private static func firstByte(_ count: Int) -> UInt8 { 0x80 | UInt8(truncatingIfNeeded: count & 0x1F) }

    /// A sender report with no report blocks (RFC 3550 §6.4.1): 28 bytes.
    static func senderReport(
        ssrc: UInt32, ntpTimestamp: UInt64, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32,
        into writer: inout ByteWriter
    ) throws(ByteWriter.Overflow) {
        try writer.write(firstByte(0))
        try writer.write(RTCPPacketType.senderReport)
        try writer.write(UInt16(6))  // 7 words - 1
        try writer.write(ssrc)
        try writer.write(ntpTimestamp)
        try writer.write(rtpTimestamp)
        try writer.write(packetCount)
        try writer.write(octetCount)
    }

    /// The header and sender SSRC of a receiver report (RFC 3550 §6.4.2) that `blocks` report
    /// blocks of 24 bytes each (at most 31) will follow.
    static func receiverReportHeader(ssrc: UInt32, blocks: Int, into writer: inout ByteWriter)
        throws(ByteWriter.Overflow)
    {
        try writer.write(firstByte(blocks))
        try writer.write(RTCPPacketType.receiverReport)
        try writer.write(UInt16(truncatingIfNeeded: 1 + 6 * blocks))
        try writer.write(ssrc)
    }

    /// A Picture Loss Indication (RFC 4585 §6.3.1): FMT 1, PT 206, 12 bytes.
    static func pictureLossIndication(senderSSRC: UInt32, mediaSSRC: UInt32, into writer: inout ByteWriter)
        throws(ByteWriter.Overflow)
    {
        try writer.write(firstByte(PictureLossIndication.format))
        try writer.write(RTCPPacketType.payloadFeedback)
        try writer.write(UInt16(2))
        try writer.write(senderSSRC)
        try writer.write(mediaSSRC)
    }
}

/// Packs lost sequence numbers into Generic NACK pairs (RFC 4585 §6.2.1) as they come, oldest
/// first, writing straight into the caller's buffer: a number within 16 after the current
/// pair's PID joins its bitmask (BLP), any other starts a new pair.
struct RelayLinkNACKWriter {
    /// Pairs per packet; with the SRTCP trailer the packet stays far below a 1200-byte MTU.
    static let maximumPairs = 200

    private var writer: ByteWriter
    private let start: Int
    private var packetID: UInt16 = 0
    private var bitmask: UInt16 = 0
    /// Pairs written or open.
    private(set) var pairs = 0

    /// Begins a NACK from `senderSSRC` about `mediaSSRC` in `buffer`.
    init(buffer: UnsafeMutableRawBufferPointer, senderSSRC: UInt32, mediaSSRC: UInt32) {
        writer = ByteWriter(buffer)
        start = writer.offset
        // The header's length is filled in by `finish`; 12 bytes always fit a link scratch buffer.
        try? writer.write(UInt8(0x80 | UInt8(GenericNACK.format)))
        try? writer.write(RTCPPacketType.transportFeedback)
        try? writer.write(UInt16(0))
        try? writer.write(senderSSRC)
        try? writer.write(mediaSSRC)
    }

    /// True when no further pair may be opened in this packet.
    var isFull: Bool { pairs >= Self.maximumPairs }

    /// Adds `sequence`; returns `false` when it needs a new pair and the packet is full.
    mutating func add(_ sequence: UInt16) -> Bool {
        if pairs > 0 {
            let distance = sequence &- packetID
            if distance == 0 { return true }
            if distance <= 16 {
                bitmask |= 1 << (distance - 1)
                return true
            }
            guard !isFull else { return false }
            closePair()
        }
        packetID = sequence
        bitmask = 0
        pairs += 1
        return true
    }

    private mutating func closePair() {
        try? writer.write(packetID)
        try? writer.write(bitmask)
    }

    /// Writes the open pair and the length; returns the packet's size, 0 when it has no pair.
    mutating func finish() -> Int {
        guard pairs > 0 else { return 0 }
        closePair()
        let size = writer.offset - start
        writer.buffer.storeBigEndian(UInt16(truncatingIfNeeded: size / 4 - 1), at: start + 2)
        return size
    }
}
