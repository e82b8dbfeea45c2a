/// Packs lost sequence numbers into Generic NACK pairs (RFC 4585 §6.2.1) as they come, oldest
/// first, writing straight into the caller's buffer: a number within 16 after the current
/// pair's PID joins its bitmask (BLP), any other starts a new pair.
public struct GenericNACKWriter {
    /// Pairs per packet; with an SRTCP trailer the packet stays far below a 1200-byte MTU.
    public static let maximumPairs = 200

    private var writer: ByteWriter
    private let start: Int
    private var packetID: UInt16 = 0
    private var bitmask: UInt16 = 0
    /// Pairs written or open.
    public private(set) var pairs = 0

    /// Begins a NACK from `senderSSRC` about `mediaSSRC` in `buffer`.
    public init(buffer: UnsafeMutableRawBufferPointer, senderSSRC: UInt32, mediaSSRC: UInt32) {
        writer = ByteWriter(buffer)
        start = writer.offset
        // The header's length is filled in by `finish`; callers pass a buffer of at least 12 bytes.
        try? writer.write(UInt8(0x80 | UInt8(GenericNACK.format)))
        try? writer.write(RTCPPacketType.transportFeedback)
        try? writer.write(UInt16(0))
        try? writer.write(senderSSRC)
        try? writer.write(mediaSSRC)
    }

    /// True when no further pair may be opened in this packet.
    public var isFull: Bool { pairs >= Self.maximumPairs }

    /// Adds `sequence`; returns `false` when it needs a new pair and the packet is full.
    public mutating func add(_ sequence: UInt16) -> Bool {
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
    public mutating func finish() -> Int {
        guard pairs > 0 else { return 0 }
        closePair()
        let size = writer.offset - start
        writer.buffer.storeBigEndian(UInt16(truncatingIfNeeded: size / 4 - 1), at: start + 2)
        return size
    }
}
