import MeshWire

/// Writes the few RTCP packets a relay link sends straight into a caller's buffer, without the
/// arrays MeshWire's general builders take, so that feedback allocates nothing.
///
/// Feedback goes as single packets (reduced-size RTCP, RFC 5506 §3): both ends of a link are
/// Meshcast nodes, so the compound rule of RFC 3550 §6.1 buys nothing but bytes. Sender reports
/// are the exception: the tracks' SRs follow the link's own in one compound, which is how the
/// downstream end tells the link's SR (first) from the tracks' (RFC 3550 §6.1).
enum LinkRTCPWriter {
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
