/// A fixed-size entry of an RTCP list (report block, SSRC, NACK pair, FIR entry).
public protocol RTCPListEntry {
    /// Bytes one entry takes on the wire.
    static var wireSize: Int { get }
    /// Decodes the entry at `offset`; the list has checked that `wireSize` bytes are there.
    init(wire bytes: UnsafeRawBufferPointer, at offset: Int)
    /// Writes the entry.
    func write(into writer: inout ByteWriter) throws(ByteWriter.Overflow)
}

/// A list of fixed-size RTCP entries decoded lazily from its bytes: borrowed when parsed
/// (no allocation), owned when built from values.
public struct RTCPList<Entry: RTCPListEntry>: RandomAccessCollection, Equatable {
    /// The entries' wire bytes, `count * Entry.wireSize` long.
    public let storage: RTCPBytes

    /// A list over `count` entries at the start of `bytes`; the caller checked they fit.
    init(borrowing bytes: UnsafeRawBufferPointer, count: Int) {
        storage = RTCPBytes(borrowing: UnsafeRawBufferPointer(rebasing: bytes[0..<count * Entry.wireSize]))
    }

    /// A list that owns the encoding of `entries`.
    public init(_ entries: [Entry]) {
        let size = entries.count * Entry.wireSize
        // The buffer is sized exactly, so writing cannot overflow.
        storage =
            (try? RTCPBytes(count: size) { (writer: inout ByteWriter) throws(ByteWriter.Overflow) in
                for entry in entries { try entry.write(into: &writer) }
            }) ?? .empty
    }

    /// The first index, always 0.
    public var startIndex: Int { 0 }
    /// The number of entries.
    public var endIndex: Int { storage.count / Entry.wireSize }

    /// The entry at `position`.
    public subscript(position: Int) -> Entry {
        precondition(position >= 0 && position < endIndex, "RTCP list index out of range")
        return Entry(wire: storage.buffer, at: position * Entry.wireSize)
    }

    /// Bytes the list takes on the wire.
    public var marshalSize: Int { storage.count }

    /// Copies the entries' bytes in.
    public func marshal(into writer: inout ByteWriter) throws(ByteWriter.Overflow) {
        try writer.write(bytes: storage.buffer)
    }
}

extension UInt32: RTCPListEntry {
    /// An SSRC takes 4 bytes.
    public static var wireSize: Int { 4 }

    /// Decodes a big-endian SSRC.
    public init(wire bytes: UnsafeRawBufferPointer, at offset: Int) {
        self = bytes.bigEndianUInt32(at: offset)
    }

    /// Writes the SSRC big-endian.
    public func write(into writer: inout ByteWriter) throws(ByteWriter.Overflow) {
        try writer.write(self)
    }
}
