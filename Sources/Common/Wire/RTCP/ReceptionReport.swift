/// One reception report block of an SR or RR (RFC 3550 §6.4.1), 24 bytes.
public struct ReceptionReport: RTCPListEntry, Equatable {
    /// The source this block reports on.
    public var ssrc: UInt32
    /// Fraction of packets lost since the last report, in 1/256 units.
    public var fractionLost: UInt8
    /// Cumulative packets lost (24-bit signed on the wire; duplicates can make it negative).
    public var cumulativeLost: Int32
    /// Extended highest sequence number received (cycles in the high 16 bits).
    public var extendedHighestSequenceNumber: UInt32
    /// Interarrival jitter in timestamp units.
    public var jitter: UInt32
    /// Middle 32 bits of the NTP timestamp of the last SR received (LSR).
    public var lastSenderReport: UInt32
    /// Delay since that SR, in 1/65536 s (DLSR).
    public var delaySinceLastSenderReport: UInt32

    /// A block with the given fields.
    public init(
        ssrc: UInt32, fractionLost: UInt8 = 0, cumulativeLost: Int32 = 0, extendedHighestSequenceNumber: UInt32 = 0,
        jitter: UInt32 = 0, lastSenderReport: UInt32 = 0, delaySinceLastSenderReport: UInt32 = 0
    ) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.extendedHighestSequenceNumber = extendedHighestSequenceNumber
        self.jitter = jitter
        self.lastSenderReport = lastSenderReport
        self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }

    /// A report block takes 24 bytes.
    public static var wireSize: Int { 24 }

    /// Decodes the block at `offset`.
    public init(wire bytes: UnsafeRawBufferPointer, at offset: Int) {
        let lossWord = bytes.bigEndianUInt32(at: offset + 4)
        // Shift the 24-bit field to the top and back to sign-extend it.
        let cumulative = Int32(bitPattern: lossWord << 8) >> 8
        self.init(
            ssrc: bytes.bigEndianUInt32(at: offset), fractionLost: UInt8(truncatingIfNeeded: lossWord >> 24),
            cumulativeLost: cumulative, extendedHighestSequenceNumber: bytes.bigEndianUInt32(at: offset + 8),
            jitter: bytes.bigEndianUInt32(at: offset + 12), lastSenderReport: bytes.bigEndianUInt32(at: offset + 16),
            delaySinceLastSenderReport: bytes.bigEndianUInt32(at: offset + 20))
    }

    /// Writes the block; `cumulativeLost` keeps its low 24 bits.
    public func write(into writer: inout ByteWriter) throws(ByteWriter.Overflow) {
        try writer.write(ssrc)
        try writer.write(fractionLost)
        try writer.writeUInt24(UInt32(bitPattern: cumulativeLost) & 0xFF_FFFF)
        try writer.write(extendedHighestSequenceNumber)
        try writer.write(jitter)
        try writer.write(lastSenderReport)
        try writer.write(delaySinceLastSenderReport)
    }
}
