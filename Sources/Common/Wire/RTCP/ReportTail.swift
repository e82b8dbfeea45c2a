/// What sender and receiver reports share after their fixed fields (RFC 3550 §6.4.1–§6.4.2):
/// `count` reception report blocks, then profile-specific extension bytes, which are written
/// zero-padded to a 32-bit word.
enum ReportTail {
    /// Borrows the blocks starting at `offset` in `body` and the extension after them; the
    /// caller has checked that `body` holds `count` blocks.
    static func parse(
        _ body: UnsafeRawBufferPointer, blocksAt offset: Int, count: Int
    ) -> (blocks: RTCPList<ReceptionReport>, profileExtension: RTCPBytes) {
        let blocksEnd = offset + count * ReceptionReport.wireSize
        return (
            RTCPList(borrowing: UnsafeRawBufferPointer(rebasing: body[offset...]), count: count),
            RTCPBytes(borrowing: UnsafeRawBufferPointer(rebasing: body[blocksEnd...]))
        )
    }

    /// Bytes the blocks and the padded extension take on the wire.
    static func marshalSize(_ blocks: RTCPList<ReceptionReport>, _ profileExtension: RTCPBytes) -> Int {
        blocks.marshalSize + ((profileExtension.count + 3) & ~3)
    }

    /// Writes the blocks, then the extension zero-padded to a word.
    static func write(
        _ blocks: RTCPList<ReceptionReport>, _ profileExtension: RTCPBytes, into writer: inout ByteWriter
    ) throws(ByteWriter.Overflow) {
        try blocks.marshal(into: &writer)
        try writer.write(bytes: profileExtension.buffer)
        try writer.writeZeros((4 - profileExtension.count % 4) % 4)
    }
}
