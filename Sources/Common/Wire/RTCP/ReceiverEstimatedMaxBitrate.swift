/// A Receiver Estimated Maximum Bitrate message (draft-alvestrand-rmcat-remb §2.2): PSFB with
/// FMT 15 (application layer feedback), identifier 'REMB', a 6-bit exponent and 18-bit
/// mantissa bitrate, and the SSRCs it applies to.
public struct ReceiverEstimatedMaxBitrate: RTCPPacketFormat, Equatable {
    /// The feedback message type of application layer feedback (RFC 4585 §6.4).
    public static let format = 15
    /// The SSRC of the sender of this feedback.
    public var senderSSRC: UInt32
    /// The 6-bit exponent of the bitrate.
    public var exponent: UInt8
    /// The 18-bit mantissa of the bitrate.
    public var mantissa: UInt32
    /// The media sources the estimate applies to (at most 255).
    public var ssrcs: RTCPList<UInt32>

    /// A REMB of `bitrate` bits per second, encoded with the smallest exponent that fits
    /// (rounding down, as the draft allows).
    public init(senderSSRC: UInt32, bitrate: UInt64, ssrcs: [UInt32]) {
        var exponent: UInt8 = 0
        while bitrate >> UInt64(exponent) > 0x3_FFFF { exponent += 1 }
        self.init(
            senderSSRC: senderSSRC, exponent: exponent, mantissa: UInt32(bitrate >> UInt64(exponent)), ssrcs: ssrcs)
    }

    /// A REMB with the raw exponent and mantissa.
    public init(senderSSRC: UInt32, exponent: UInt8, mantissa: UInt32, ssrcs: [UInt32]) {
        self.senderSSRC = senderSSRC
        self.exponent = exponent
        self.mantissa = mantissa
        self.ssrcs = RTCPList(ssrcs)
    }

    /// The estimate in bits per second (saturating where the exponent would overflow 64 bits).
    public var bitrate: UInt64 {
        let value = UInt64(mantissa)
        guard exponent < 64, value <= UInt64.max >> UInt64(exponent) else { return .max }
        return value << UInt64(exponent)
    }

    /// Whether a PSFB/FMT 15 packet carries the 'REMB' identifier (other AFB messages exist).
    public static func isREMB(_ packet: RTCPPacketView) -> Bool {
        let body = packet.body
        return body.count >= 12 && body.bigEndianUInt32(at: 8) == identifier
    }

    /// ASCII 'REMB'.
    static let identifier: UInt32 = 0x5245_4D42

    /// Parses a REMB; the media SSRC field must be 0 by the draft but is not checked.
    public init(parsing packet: RTCPPacketView) throws(RTCPError) {
        try packet.expect(RTCPPacketType.payloadFeedback, format: Self.format)
        try packet.requireBody(16)
        let body = packet.body
        guard body.bigEndianUInt32(at: 8) == Self.identifier else { throw .missingREMBIdentifier }
        let declared = Int(body[12])
        guard body.count - 16 == declared * 4 else {
            throw .rembSSRCCountMismatch(declared: declared, available: (body.count - 16) / 4)
        }
        senderSSRC = body.bigEndianUInt32(at: 0)
        exponent = body[13] >> 2
        mantissa = UInt32(body[13] & 0x03) << 16 | UInt32(body.bigEndianUInt16(at: 14))
        ssrcs = RTCPList(borrowing: UnsafeRawBufferPointer(rebasing: body[16...]), count: declared)
    }

    /// Bytes on the wire.
    public var marshalSize: Int { 20 + ssrcs.marshalSize }

    /// Writes the REMB; the media SSRC is 0.
    public func marshal(into writer: inout ByteWriter) throws(RTCPError) {
        guard ssrcs.count <= 255 else { throw .tooManyEntries(count: ssrcs.count, limit: 255) }
        guard exponent < 64, mantissa <= 0x3_FFFF else { throw .valueOutOfRange(field: "REMB exponent/mantissa") }
        try RTCPHeader.write(
            count: Self.format, packetType: RTCPPacketType.payloadFeedback, packetSize: marshalSize, into: &writer)
        try writingRTCP { () throws(ByteWriter.Overflow) in
            try writer.write(senderSSRC)
            try writer.write(UInt32(0))
            try writer.write(Self.identifier)
            try writer.write(UInt8(ssrcs.count))
            try writer.write(exponent << 2 | UInt8(mantissa >> 16))
            try writer.write(UInt16(truncatingIfNeeded: mantissa))
            try ssrcs.marshal(into: &writer)
        }
    }
}
