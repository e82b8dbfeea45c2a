/// One Generic NACK FCI entry (RFC 4585 §6.2.1): a lost packet ID and a bitmask of the 16 after it.
public struct NACKPair: RTCPListEntry, Equatable {
    /// The sequence number of a lost packet (PID).
    public var packetID: UInt16
    /// Bit i set means `packetID + i + 1` is lost too (BLP).
    public var lostBitmask: UInt16

    /// A pair for `packetID` and `lostBitmask`.
    public init(packetID: UInt16, lostBitmask: UInt16 = 0) {
        self.packetID = packetID
        self.lostBitmask = lostBitmask
    }

    /// A pair takes 4 bytes.
    public static var wireSize: Int { 4 }

    /// Decodes the pair at `offset`.
    public init(wire bytes: UnsafeRawBufferPointer, at offset: Int) {
        self.init(packetID: bytes.bigEndianUInt16(at: offset), lostBitmask: bytes.bigEndianUInt16(at: offset + 2))
    }

    /// Writes the pair.
    public func write(into writer: inout ByteWriter) throws(ByteWriter.Overflow) {
        try writer.write(packetID)
        try writer.write(lostBitmask)
    }

    /// The lost sequence numbers this pair names, in order.
    public var lostSequenceNumbers: LostSequenceNumbers { LostSequenceNumbers(pair: self) }

    /// Expands a pair into its sequence numbers without allocating.
    public struct LostSequenceNumbers: Sequence, IteratorProtocol {
        let pair: NACKPair
        var bit = -1

        /// The next lost sequence number.
        public mutating func next() -> UInt16? {
            while bit < 16 {
                defer { bit += 1 }
                if bit < 0 { return pair.packetID }
                if pair.lostBitmask & (1 << UInt16(bit)) != 0 { return pair.packetID &+ UInt16(bit) &+ 1 }
            }
            return nil
        }
    }
}

/// A Generic NACK (RFC 4585 §6.2.1): RTPFB with FMT 1 listing lost packets as PID/BLP pairs.
public struct GenericNACK: RTCPPacketFormat, Equatable {
    /// The feedback message type of Generic NACK.
    public static let format = 1
    /// The SSRC of the sender of this feedback.
    public var senderSSRC: UInt32
    /// The SSRC of the media source whose packets were lost.
    public var mediaSSRC: UInt32
    /// The PID/BLP pairs, read lazily.
    public var pairs: RTCPList<NACKPair>

    /// A NACK carrying `pairs`.
    public init(senderSSRC: UInt32, mediaSSRC: UInt32, pairs: [NACKPair]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.pairs = RTCPList(pairs)
    }

    /// A NACK for `lostSequenceNumbers`, packed into as few pairs as their order allows:
    /// each number within 16 after the current pair's PID joins its bitmask.
    public init<S: Sequence>(senderSSRC: UInt32, mediaSSRC: UInt32, lostSequenceNumbers: S) where S.Element == UInt16 {
        var pairs: [NACKPair] = []
        for sequenceNumber in lostSequenceNumbers {
            if let last = pairs.last {
                let distance = sequenceNumber &- last.packetID
                if distance == 0 { continue }
                if distance <= 16 {
                    pairs[pairs.count - 1].lostBitmask |= 1 << (distance - 1)
                    continue
                }
            }
            pairs.append(NACKPair(packetID: sequenceNumber))
        }
        self.init(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, pairs: pairs)
    }

    /// Parses a Generic NACK; the FCI must be whole 4-byte pairs.
    public init(parsing packet: RTCPPacketView) throws(RTCPError) {
        try packet.expect(RTCPPacketType.transportFeedback, format: Self.format)
        try packet.requireBody(8)
        let fci = UnsafeRawBufferPointer(rebasing: packet.body[8...])
        guard fci.count % NACKPair.wireSize == 0 else {
            throw .partialFeedbackEntry(fciLength: fci.count, entrySize: NACKPair.wireSize)
        }
        senderSSRC = packet.body.bigEndianUInt32(at: 0)
        mediaSSRC = packet.body.bigEndianUInt32(at: 4)
        pairs = RTCPList(borrowing: fci, count: fci.count / NACKPair.wireSize)
    }

    /// Every lost sequence number, pair by pair, without allocating.
    public var lostSequenceNumbers: FlattenSequence<LazyMapSequence<RTCPList<NACKPair>, NACKPair.LostSequenceNumbers>> {
        pairs.lazy.map(\.lostSequenceNumbers).joined()
    }

    /// Bytes on the wire.
    public var marshalSize: Int { 12 + pairs.marshalSize }

    /// Writes the NACK.
    public func marshal(into writer: inout ByteWriter) throws(RTCPError) {
        try RTCPHeader.write(
            count: Self.format, packetType: RTCPPacketType.transportFeedback, packetSize: marshalSize, into: &writer)
        try writingRTCP { () throws(ByteWriter.Overflow) in
            try writer.write(senderSSRC)
            try writer.write(mediaSSRC)
            try pairs.marshal(into: &writer)
        }
    }
}
