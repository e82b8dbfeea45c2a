/// Transport-wide congestion control feedback
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): RTPFB with FMT 15 reporting,
/// for a range of transport-wide sequence numbers, which packets arrived and when.
///
/// Parsing validates every chunk and delta and keeps them as bytes; ``packetStatuses`` decodes
/// them lazily into (sequence number, received?, delta) without allocating.
public struct TransportWideCCFeedback: RTCPPacketFormat, Equatable {
    /// The feedback message type of transport-wide CC.
    public static let format = 15
    /// The SSRC of the sender of this feedback.
    public var senderSSRC: UInt32
    /// The SSRC of the media source (unused by the draft; kept as received).
    public var mediaSSRC: UInt32
    /// The transport-wide sequence number of the first packet reported.
    public var baseSequenceNumber: UInt16
    /// How many packets the chunks describe, from the base on.
    public var packetStatusCount: UInt16
    /// Reference time in multiples of 64 ms (24-bit signed on the wire).
    public var referenceTime: Int32
    /// A counter the sender increments per feedback, to detect lost feedback.
    public var feedbackPacketCount: UInt8
    /// Packet chunks followed by receive deltas (and any zero padding), as on the wire.
    public var statusBytes: RTCPBytes

    /// Microseconds in one receive-delta tick.
    public static let deltaTickMicroseconds: Int64 = 250
    /// Microseconds in one reference-time unit.
    public static let referenceTimeUnitMicroseconds: Int64 = 64_000

    /// One reported packet.
    public struct PacketStatus: Equatable {
        /// Its transport-wide sequence number.
        public let sequenceNumber: UInt16
        /// Its receive delta in 250 µs ticks from the previous received packet (the first from
        /// the reference time); `nil` when it was not received.
        public let receiveDelta: Int16?
        /// Whether it arrived.
        public var isReceived: Bool { receiveDelta != nil }
        /// The receive delta in microseconds.
        public var receiveDeltaMicroseconds: Int64? {
            receiveDelta.map { Int64($0) * TransportWideCCFeedback.deltaTickMicroseconds }
        }
    }

    /// Parses the feedback, checking that chunks cover the status count, that no status symbol
    /// is the reserved 3, and that every receive delta is present.
    public init(parsing packet: RTCPPacketView) throws(RTCPError) {
        try packet.expect(RTCPPacketType.transportFeedback, format: Self.format)
        try packet.requireBody(16)
        let body = packet.body
        senderSSRC = body.bigEndianUInt32(at: 0)
        mediaSSRC = body.bigEndianUInt32(at: 4)
        baseSequenceNumber = body.bigEndianUInt16(at: 8)
        packetStatusCount = body.bigEndianUInt16(at: 10)
        referenceTime = Int32(bitPattern: body.bigEndianUInt32(at: 12) & 0xFFFF_FF00) >> 8
        feedbackPacketCount = body[15]
        let status = UnsafeRawBufferPointer(rebasing: body[16...])
        try Self.validate(status, statusCount: Int(packetStatusCount))
        statusBytes = RTCPBytes(borrowing: status)
    }

    /// Walks chunks and deltas once to prove the lazy decoder will find everything it needs.
    private static func validate(_ bytes: UnsafeRawBufferPointer, statusCount: Int) throws(RTCPError) {
        var covered = 0
        var offset = 0
        var deltaBytes = 0
        while covered < statusCount {
            guard offset + 2 <= bytes.count else {
                throw .packetStatusOverrun(needed: offset + 2, available: bytes.count)
            }
            let chunk = PacketChunk(bytes.bigEndianUInt16(at: offset))
            let symbols = min(chunk.symbolCount, statusCount - covered)
            for index in 0..<symbols {
                switch chunk.symbol(at: index) {
                case 1: deltaBytes += 1
                case 2: deltaBytes += 2
                case 3: throw .reservedPacketStatusSymbol(offset: offset)
                default: break
                }
            }
            covered += symbols
            offset += 2
        }
        guard offset + deltaBytes <= bytes.count else {
            throw .packetStatusOverrun(needed: offset + deltaBytes, available: bytes.count)
        }
    }

    /// The reported packets in order, decoded lazily.
    public var packetStatuses: PacketStatuses {
        PacketStatuses(bytes: statusBytes.buffer, base: baseSequenceNumber, statusCount: Int(packetStatusCount))
    }

    /// Decodes (sequence number, delta) pairs from validated chunks.
    public struct PacketStatuses: Sequence, IteratorProtocol {
        let bytes: UnsafeRawBufferPointer
        let base: UInt16
        let statusCount: Int
        var emitted = 0
        var chunkOffset = 0
        var chunk = PacketChunk(0)
        var symbolIndex = 0
        var symbolsInChunk = 0
        var deltaOffset: Int

        init(bytes: UnsafeRawBufferPointer, base: UInt16, statusCount: Int) {
            self.bytes = bytes
            self.base = base
            self.statusCount = statusCount
            // Deltas follow the last chunk needed to cover the status count.
            var covered = 0
            var offset = 0
            while covered < statusCount, offset + 2 <= bytes.count {
                covered += PacketChunk(bytes.bigEndianUInt16(at: offset)).symbolCount
                offset += 2
            }
            deltaOffset = offset
        }

        /// The next reported packet, `nil` after the status count.
        public mutating func next() -> PacketStatus? {
            guard emitted < statusCount else { return nil }
            while symbolIndex >= symbolsInChunk {
                guard chunkOffset + 2 <= bytes.count else { return nil }
                chunk = PacketChunk(bytes.bigEndianUInt16(at: chunkOffset))
                chunkOffset += 2
                symbolIndex = 0
                symbolsInChunk = chunk.symbolCount
            }
            let symbol = chunk.symbol(at: symbolIndex)
            symbolIndex += 1
            let sequenceNumber = base &+ UInt16(truncatingIfNeeded: emitted)
            emitted += 1
            var delta: Int16?
            switch symbol {
            case 1:
                guard deltaOffset + 1 <= bytes.count else { return nil }
                delta = Int16(bytes[deltaOffset])
                deltaOffset += 1
            case 2:
                guard deltaOffset + 2 <= bytes.count else { return nil }
                delta = Int16(bitPattern: bytes.bigEndianUInt16(at: deltaOffset))
                deltaOffset += 2
            default:
                delta = nil
            }
            return PacketStatus(sequenceNumber: sequenceNumber, receiveDelta: delta)
        }
    }

    /// Bytes on the wire: status bytes are padded to a word with RTCP padding (P bit), as libwebrtc does.
    public var marshalSize: Int { 20 + statusBytes.count + paddingLength }

    private var paddingLength: Int { (4 - statusBytes.count % 4) % 4 }

    /// Writes the feedback.
    public func marshal(into writer: inout ByteWriter) throws(RTCPError) {
        let padding = paddingLength
        try RTCPHeader.write(
            count: Self.format, packetType: RTCPPacketType.transportFeedback, packetSize: marshalSize,
            padded: padding > 0,
            into: &writer)
        try writingRTCP { () throws(ByteWriter.Overflow) in
            try writer.write(senderSSRC)
            try writer.write(mediaSSRC)
            try writer.write(baseSequenceNumber)
            try writer.write(packetStatusCount)
            try writer.writeUInt24(UInt32(bitPattern: referenceTime) & 0xFF_FFFF)
            try writer.write(feedbackPacketCount)
            try writer.write(bytes: statusBytes.buffer)
            if padding > 0 {
                try writer.writeZeros(padding - 1)
                try writer.write(UInt8(padding))
            }
        }
    }
}

/// A packet chunk (draft §3.1.3/§3.1.4): a run of one symbol, or a vector of 14 one-bit or 7
/// two-bit symbols. Symbols: 0 not received, 1 received with small delta, 2 received with
/// large or negative delta, 3 reserved.
struct PacketChunk {
    let raw: UInt16

    init(_ raw: UInt16) { self.raw = raw }

    var isRunLength: Bool { raw & 0x8000 == 0 }
    var isTwoBitVector: Bool { raw & 0x4000 != 0 }

    var symbolCount: Int {
        if isRunLength { return Int(raw & 0x1FFF) }
        return isTwoBitVector ? 7 : 14
    }

    func symbol(at index: Int) -> UInt8 {
        if isRunLength { return UInt8(truncatingIfNeeded: raw >> 13) & 0x03 }
        if isTwoBitVector { return UInt8(truncatingIfNeeded: raw >> UInt16(12 - 2 * index)) & 0x03 }
        return UInt8(truncatingIfNeeded: raw >> UInt16(13 - index)) & 0x01
    }

    static func runLength(symbol: UInt8, length: Int) -> UInt16 {
        UInt16(symbol & 0x03) << 13 | UInt16(length & 0x1FFF)
    }

    static func vector<C: Collection>(oneBit symbols: C) -> UInt16 where C.Element == UInt8 {
        var raw: UInt16 = 0x8000
        for (index, symbol) in symbols.enumerated() { raw |= UInt16(symbol & 1) << UInt16(13 - index) }
        return raw
    }

    static func vector<C: Collection>(twoBit symbols: C) -> UInt16 where C.Element == UInt8 {
        var raw: UInt16 = 0xC000
        for (index, symbol) in symbols.enumerated() { raw |= UInt16(symbol & 3) << UInt16(12 - 2 * index) }
        return raw
    }
}
