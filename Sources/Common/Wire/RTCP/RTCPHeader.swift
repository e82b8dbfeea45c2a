/// RTCP packet type numbers (RFC 3550 §12.1, RFC 4585 §6.1).
public enum RTCPPacketType {
    /// SR, RFC 3550 §6.4.1.
    public static let senderReport: UInt8 = 200
    /// RR, RFC 3550 §6.4.2.
    public static let receiverReport: UInt8 = 201
    /// SDES, RFC 3550 §6.5.
    public static let sourceDescription: UInt8 = 202
    /// BYE, RFC 3550 §6.6.
    public static let goodbye: UInt8 = 203
    /// APP, RFC 3550 §6.7.
    public static let application: UInt8 = 204
    /// RTPFB, transport-layer feedback (RFC 4585 §6.2): NACK, TWCC.
    public static let transportFeedback: UInt8 = 205
    /// PSFB, payload-specific feedback (RFC 4585 §6.3): PLI, FIR, REMB.
    public static let payloadFeedback: UInt8 = 206
}

/// Writes the RTCP common header (RFC 3550 §6.4.1).
enum RTCPHeader {
    /// Writes version 2, the padding bit, the 5-bit count/format, the type, and the length of a
    /// packet of `packetSize` bytes (a multiple of 4) in 32-bit words minus one.
    static func write(
        count: Int, packetType: UInt8, packetSize: Int, padded: Bool = false, into writer: inout ByteWriter
    ) throws(RTCPError) {
        guard (0...31).contains(count) else { throw .tooManyEntries(count: count, limit: 31) }
        let words = packetSize / 4 - 1
        guard packetSize % 4 == 0, (0...0xFFFF).contains(words) else {
            throw .valueOutOfRange(field: "RTCP length (\(packetSize) bytes)")
        }
        guard writer.remaining >= packetSize else {
            throw .bufferTooSmall(ByteWriter.Overflow(needed: packetSize, available: writer.remaining))
        }
        do {
            try writer.write(0x80 | (padded ? 0x20 : 0) | UInt8(count))
            try writer.write(packetType)
            try writer.write(UInt16(words))
        } catch {
            throw .bufferTooSmall(error)
        }
    }
}

/// Runs a body writer, turning a buffer overflow into ``RTCPError/bufferTooSmall(_:)``.
@inline(__always)
func writingRTCP(_ body: () throws(ByteWriter.Overflow) -> Void) throws(RTCPError) {
    do {
        try body()
    } catch {
        throw .bufferTooSmall(error)
    }
}
