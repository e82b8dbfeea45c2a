/// The NAL units of a STAP-A (RFC 6184 §5.7.1, Figure 7), walked without allocating.
public struct H264AggregatedUnits: Sequence {
    /// One aggregated NAL unit: its header and where its bytes lie in the RTP payload.
    public struct Unit: Equatable, Sendable {
        /// The NAL unit header (the unit's first byte).
        public let header: H264NALUnitHeader
        /// The unit's bytes (header included) as offsets into the RTP payload.
        public let range: Range<Int>
    }

    /// The whole RTP payload, starting with the STAP-A indicator.
    let payload: UnsafeRawBufferPointer

    /// Walks the units in order; stops early (without trapping) on sizes that do not fit.
    public struct Iterator: IteratorProtocol {
        var reader: ByteReader

        /// The next unit, or `nil` at the end.
        public mutating func next() -> Unit? {
            guard let size = reader.readUInt16(), size > 0 else { return nil }
            let start = reader.offset
            guard let unit = reader.readBytes(Int(size)) else { return nil }
            return Unit(header: H264NALUnitHeader(unit[0]), range: start..<start + Int(size))
        }
    }

    /// An iterator from the first unit, just after the STAP-A indicator byte.
    public func makeIterator() -> Iterator {
        Iterator(reader: ByteReader(payload, offset: 1))
    }
}
