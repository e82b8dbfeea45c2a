/// SDES item types (RFC 3550 §6.5).
public enum SourceDescriptionItemType {
    /// CNAME, the canonical end-point identifier (§6.5.1).
    public static let cname: UInt8 = 1
    /// NAME (§6.5.2).
    public static let name: UInt8 = 2
    /// TOOL (§6.5.6).
    public static let tool: UInt8 = 6
    /// PRIV (§6.5.8).
    public static let privateExtension: UInt8 = 8
}

/// One SDES item: its type and text, borrowed from the packet.
public struct SourceDescriptionItem {
    /// The item type (see ``SourceDescriptionItemType``).
    public let type: UInt8
    /// The item's text bytes (UTF-8 by RFC 3550 §6.5).
    public let text: UnsafeRawBufferPointer
}

/// One SDES chunk: a source and its items, read lazily.
public struct SourceDescriptionChunk: Sequence {
    /// The source the items describe.
    public let ssrc: UInt32
    let items: UnsafeRawBufferPointer

    /// An iterator over the items.
    public func makeIterator() -> Iterator { Iterator(bytes: items) }

    /// Walks the items of a chunk the packet already validated.
    public struct Iterator: IteratorProtocol {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        /// The next item, `nil` at the null terminator.
        public mutating func next() -> SourceDescriptionItem? {
            guard offset + 2 <= bytes.count, bytes[offset] != 0 else { return nil }
            let length = Int(bytes[offset + 1])
            let start = offset + 2
            guard start + length <= bytes.count else { return nil }
            offset = start + length
            return SourceDescriptionItem(
                type: bytes[start - 2], text: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]))
        }
    }
}

/// An RTCP SDES packet (RFC 3550 §6.5): chunks of (SSRC, items), each chunk ended by null
/// octets up to a 32-bit boundary. Parsing validates every chunk; chunks and items are then
/// read lazily from the bytes.
public struct SourceDescription: RTCPPacketFormat, Equatable, Sequence {
    /// How many chunks (at most 31).
    public let chunkCount: Int
    /// The chunks' wire bytes, borrowed when parsed, owned when built.
    public let chunkBytes: RTCPBytes

    /// Builds an SDES from chunks of items (text up to 255 bytes each).
    public init(chunks: [(ssrc: UInt32, items: [(type: UInt8, text: String)])]) throws(RTCPError) {
        var size = 0
        for chunk in chunks {
            var chunkSize = 4 + 1
            for item in chunk.items {
                guard item.type != 0, item.text.utf8.count <= 255 else {
                    throw .valueOutOfRange(field: "SDES item type \(item.type) / length \(item.text.utf8.count)")
                }
                chunkSize += 2 + item.text.utf8.count
            }
            size += (chunkSize + 3) & ~3
        }
        do {
            chunkBytes = try RTCPBytes(count: size) { (writer: inout ByteWriter) throws(ByteWriter.Overflow) in
                for chunk in chunks {
                    let start = writer.offset
                    try writer.write(chunk.ssrc)
                    for item in chunk.items {
                        try writer.write(item.type)
                        try writer.write(UInt8(item.text.utf8.count))
                        try writer.write(contentsOf: item.text.utf8)
                    }
                    let used = writer.offset - start + 1
                    try writer.writeZeros(1 + (4 - used % 4) % 4)
                }
            }
        } catch {
            throw .bufferTooSmall(error)
        }
        chunkCount = chunks.count
    }

    /// An SDES with one chunk holding a CNAME, the form every compound packet carries.
    public init(ssrc: UInt32, cname: String) throws(RTCPError) {
        try self.init(chunks: [(ssrc: ssrc, items: [(type: SourceDescriptionItemType.cname, text: cname)])])
    }

    /// Parses an SDES, checking every chunk, item length and terminator.
    public init(parsing packet: RTCPPacketView) throws(RTCPError) {
        try packet.expect(RTCPPacketType.sourceDescription)
        let body = packet.body
        var offset = 0
        for _ in 0..<packet.count {
            guard offset + 4 <= body.count else { throw .malformedSourceDescription(offset: offset) }
            offset += 4
            while true {
                guard offset < body.count else { throw .malformedSourceDescription(offset: offset) }
                if body[offset] == 0 {
                    // The null item ends the list; null octets pad the chunk to a word (§6.5).
                    offset = (offset + 1 + 3) & ~3
                    guard offset <= body.count else { throw .malformedSourceDescription(offset: offset) }
                    break
                }
                guard offset + 2 <= body.count, offset + 2 + Int(body[offset + 1]) <= body.count else {
                    throw .malformedSourceDescription(offset: offset)
                }
                offset += 2 + Int(body[offset + 1])
            }
        }
        // Nothing but chunks may fill the body (§6.5), so leftovers mean a wrong count.
        guard offset == body.count else { throw .malformedSourceDescription(offset: offset) }
        chunkCount = packet.count
        chunkBytes = RTCPBytes(borrowing: UnsafeRawBufferPointer(rebasing: body[0..<offset]))
    }

    /// An iterator over the chunks.
    public func makeIterator() -> Iterator { Iterator(bytes: chunkBytes.buffer, remaining: chunkCount) }

    /// Walks validated chunks.
    public struct Iterator: IteratorProtocol {
        let bytes: UnsafeRawBufferPointer
        var remaining: Int
        var offset = 0

        /// The next chunk, `nil` after the last.
        public mutating func next() -> SourceDescriptionChunk? {
            guard remaining > 0, offset + 4 <= bytes.count else { return nil }
            remaining -= 1
            let ssrc = bytes.bigEndianUInt32(at: offset)
            let itemsStart = offset + 4
            var end = itemsStart
            while end < bytes.count, bytes[end] != 0 {
                end += 2 + (end + 1 < bytes.count ? Int(bytes[end + 1]) : 0)
            }
            end = Swift.min(end, bytes.count)
            offset = Swift.min((end + 1 + 3) & ~3, bytes.count)
            return SourceDescriptionChunk(ssrc: ssrc, items: UnsafeRawBufferPointer(rebasing: bytes[itemsStart..<end]))
        }
    }

    /// Bytes on the wire.
    public var marshalSize: Int { 4 + chunkBytes.count }

    /// Writes the SDES.
    public func marshal(into writer: inout ByteWriter) throws(RTCPError) {
        try RTCPHeader.write(
            count: chunkCount, packetType: RTCPPacketType.sourceDescription, packetSize: marshalSize, into: &writer)
        try writingRTCP { () throws(ByteWriter.Overflow) in try writer.write(bytes: chunkBytes.buffer) }
    }
}
