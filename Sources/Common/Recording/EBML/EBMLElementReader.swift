/// Reads EBML element headers (RFC 8794 §4–§5) from untrusted bytes: every read checks its
/// bounds and returns `nil` rather than trapping, so the recovery scanner can walk any file.
struct EBMLElementReader {
    /// One element header: its ID (with the length marker), where its data starts, and its
    /// data size (`nil` for the reserved "unknown" size).
    struct Header {
        let id: UInt32
        let start: Int
        let dataStart: Int
        let sizeWidth: Int
        let size: UInt64?
    }

    let bytes: UnsafeRawBufferPointer

    /// The element header at `offset`, or `nil` when the bytes there are not one (a bad
    /// length marker) or end too early.
    func header(at offset: Int) -> Header? {
        guard offset >= 0, offset < bytes.count else { return nil }
        let first = bytes[offset]
        guard first != 0 else { return nil }
        let idWidth = first.leadingZeroBitCount + 1
        guard idWidth <= 4, offset + idWidth <= bytes.count else { return nil }
        var id: UInt32 = 0
        for index in 0..<idWidth { id = id << 8 | UInt32(bytes[offset + index]) }
        let sizeOffset = offset + idWidth
        guard sizeOffset < bytes.count else { return nil }
        let sizeFirst = bytes[sizeOffset]
        guard sizeFirst != 0 else { return nil }
        let sizeWidth = sizeFirst.leadingZeroBitCount + 1
        guard sizeOffset + sizeWidth <= bytes.count else { return nil }
        let mask = UInt64(0xFF) >> UInt64(sizeWidth)
        var value = UInt64(sizeFirst) & mask
        var allOnes = value == mask
        for index in 1..<sizeWidth {
            let byte = bytes[sizeOffset + index]
            allOnes = allOnes && byte == 0xFF
            value = value << 8 | UInt64(byte)
        }
        return Header(
            id: id, start: offset, dataStart: sizeOffset + sizeWidth, sizeWidth: sizeWidth,
            size: allOnes ? nil : value)
    }

    /// The end of an element of known size, or `nil` when it runs past the bytes.
    func end(of header: Header) -> Int? {
        guard let size = header.size, size <= UInt64(bytes.count - header.dataStart) else { return nil }
        return header.dataStart + Int(size)
    }

    /// An unsigned integer element's value (0 to 8 bytes, §7.2), or `nil` when malformed.
    func unsigned(_ header: Header) -> UInt64? {
        guard let end = end(of: header), header.size ?? 9 <= 8 else { return nil }
        var value: UInt64 = 0
        for index in header.dataStart..<end { value = value << 8 | UInt64(bytes[index]) }
        return value
    }

    /// A string element's value, or `nil` when it runs past the bytes.
    func string(_ header: Header) -> String? {
        guard let end = end(of: header) else { return nil }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[header.dataStart..<end])
        return String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
}
