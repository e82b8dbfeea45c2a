import MeshWire

/// The RTP header extension IDs a sender writes (RFC 8285 §4.2 one-byte form, IDs 1...14);
/// `nil` leaves an element out.
struct OutgoingExtensionIDs: Sendable, Equatable {
    var mid: UInt8?
    var rid: UInt8?
    var captureTime: UInt8?
}

/// Writes the RTP header (RFC 3550 §5.1) of one outgoing stream, packet after packet:
/// fixed fields, the next sequence number, and a one-byte-form extension block (RFC 8285
/// §4.2) with sdes:mid, rid and abs-capture-time. Writes into the caller's buffer and
/// allocates nothing: the mid and rid values are kept as bytes from the start.
struct RTPStreamHeader {
    let ssrc: UInt32
    let payloadType: UInt8
    let extensions: OutgoingExtensionIDs
    /// The sequence number the next packet gets.
    private(set) var nextSequence: UInt16
    private let mid: [UInt8]
    private let rid: [UInt8]

    /// A stream `ssrc` of `payloadType`, starting at `firstSequence`. `mid` and `rid` (1–16
    /// bytes each for the one-byte form) are written when their IDs are set.
    init(
        ssrc: UInt32, payloadType: UInt8, extensions: OutgoingExtensionIDs, mid: String, rid: String?,
        firstSequence: UInt16
    ) {
        self.ssrc = ssrc
        self.payloadType = payloadType
        self.mid = Array(mid.utf8.prefix(16))
        self.rid = Array((rid ?? "").utf8.prefix(16))
        var extensions = extensions
        if self.mid.isEmpty { extensions.mid = nil }
        if self.rid.isEmpty { extensions.rid = nil }
        self.extensions = extensions
        nextSequence = firstSequence
    }

    /// The extension block's size: 4-byte preamble plus the elements, padded to 32 bits.
    var extensionBlockSize: Int {
        var elements = 0
        if extensions.mid != nil { elements += 1 + mid.count }
        if extensions.rid != nil { elements += 1 + rid.count }
        if extensions.captureTime != nil { elements += CaptureTimeExtension.elementSize }
        return elements == 0 ? 0 : 4 + (elements + 3) & ~3
    }

    /// Bytes the header takes.
    var size: Int { 12 + extensionBlockSize }

    /// Writes the header of the next packet and advances the sequence number.
    mutating func write(
        timestamp: UInt32, marker: Bool, captureNTP: UInt64, into writer: inout ByteWriter
    ) throws(ByteWriter.Overflow) {
        let block = extensionBlockSize
        try writer.write(UInt8(0x80 | (block > 0 ? 0x10 : 0)))
        try writer.write((marker ? 0x80 : 0) | payloadType)
        try writer.write(nextSequence)
        try writer.write(timestamp)
        try writer.write(ssrc)
        nextSequence &+= 1
        guard block > 0 else { return }
        try writer.write(UInt16(0xBEDE))
        try writer.write(UInt16((block - 4) / 4))
        let start = writer.offset
        if let id = extensions.mid { try Self.writeElement(id: id, value: mid, into: &writer) }
        if let id = extensions.rid { try Self.writeElement(id: id, value: rid, into: &writer) }
        if let id = extensions.captureTime { try CaptureTimeExtension.write(ntp: captureNTP, id: id, into: &writer) }
        try writer.writeZeros(block - 4 - (writer.offset - start))
    }

    private static func writeElement(id: UInt8, value: [UInt8], into writer: inout ByteWriter) throws(ByteWriter
        .Overflow)
    {
        try writer.write(id << 4 | UInt8(value.count - 1))
        for byte in value { try writer.write(byte) }
    }
}
