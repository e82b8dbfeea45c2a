/// One FIR FCI entry (RFC 5104 §4.3.1.1): whom to ask and the request's sequence number.
public struct FullIntraRequestEntry: RTCPListEntry, Equatable {
    /// The media sender asked for a decoder refresh point.
    public var ssrc: UInt32
    /// Command sequence number; repeats of one request keep it, new requests increment it.
    public var sequenceNumber: UInt8

    /// An entry for `ssrc` with `sequenceNumber`.
    public init(ssrc: UInt32, sequenceNumber: UInt8) {
        self.ssrc = ssrc
        self.sequenceNumber = sequenceNumber
    }

    /// An entry takes 8 bytes: SSRC, sequence number, 24 reserved bits.
    public static var wireSize: Int { 8 }

    /// Decodes the entry at `offset`.
    public init(wire bytes: UnsafeRawBufferPointer, at offset: Int) {
        self.init(ssrc: bytes.bigEndianUInt32(at: offset), sequenceNumber: bytes[offset + 4])
    }

    /// Writes the entry with its reserved bits zero.
    public func write(into writer: inout ByteWriter) throws(ByteWriter.Overflow) {
        try writer.write(ssrc)
        try writer.write(sequenceNumber)
        try writer.writeUInt24(0)
    }
}

/// A Full Intra Request (RFC 5104 §4.3.1): PSFB with FMT 4 and one FCI entry per media sender.
public struct FullIntraRequest: RTCPPacketFormat, Equatable {
    /// The feedback message type of FIR.
    public static let format = 4
    /// The SSRC of the sender of this feedback.
    public var senderSSRC: UInt32
    /// Unused by FIR (RFC 5104 §4.3.1.2 says 0); kept as received.
    public var mediaSSRC: UInt32
    /// The requests, read lazily.
    public var entries: RTCPList<FullIntraRequestEntry>

    /// A FIR from `senderSSRC` carrying `entries`.
    public init(senderSSRC: UInt32, mediaSSRC: UInt32 = 0, entries: [FullIntraRequestEntry]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.entries = RTCPList(entries)
    }

    /// Parses a FIR; the FCI must be whole 8-byte entries.
    public init(parsing packet: RTCPPacketView) throws(RTCPError) {
        try packet.expect(RTCPPacketType.payloadFeedback, format: Self.format)
        try packet.requireBody(8)
        let fci = UnsafeRawBufferPointer(rebasing: packet.body[8...])
        guard fci.count % FullIntraRequestEntry.wireSize == 0 else {
            throw .partialFeedbackEntry(fciLength: fci.count, entrySize: FullIntraRequestEntry.wireSize)
        }
        senderSSRC = packet.body.bigEndianUInt32(at: 0)
        mediaSSRC = packet.body.bigEndianUInt32(at: 4)
        entries = RTCPList(borrowing: fci, count: fci.count / FullIntraRequestEntry.wireSize)
    }

    /// Bytes on the wire.
    public var marshalSize: Int { 12 + entries.marshalSize }

    /// Writes the FIR.
    public func marshal(into writer: inout ByteWriter) throws(RTCPError) {
        try RTCPHeader.write(
            count: Self.format, packetType: RTCPPacketType.payloadFeedback, packetSize: marshalSize, into: &writer)
        try writingRTCP { () throws(ByteWriter.Overflow) in
            try writer.write(senderSSRC)
            try writer.write(mediaSSRC)
            try entries.marshal(into: &writer)
        }
    }
}
