/// A growable byte buffer that writes EBML elements (RFC 8794 §4–§7) and is reused: `reset()`
/// keeps its capacity, so after the first few clusters writing allocates nothing.
struct EBMLBuffer {
    /// An element size of 8 bytes whose value is "unknown" (RFC 8794 §6.2): all value bits set.
    static let unknownSize: UInt64 = 0x00FF_FFFF_FFFF_FFFF

    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// How many bytes are written.
    var count: Int { bytes.count }

    /// Empties the buffer, keeping its storage.
    mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    /// Appends an element ID as stored: 1 to 4 bytes, the length marker included (§5).
    mutating func id(_ id: UInt32) {
        let width = id > 0xFF_FFFF ? 4 : id > 0xFFFF ? 3 : id > 0xFF ? 2 : 1
        bigEndian(UInt64(id), width: width)
    }

    /// Appends a data size as a variable-size integer (§4): the shortest width unless `width`
    /// is given (8 for sizes patched later).
    mutating func size(_ value: UInt64, width: Int? = nil) {
        let chosen = width ?? Self.vintWidth(value)
        let marker = UInt64(1) << UInt64(7 * chosen)
        bigEndian(marker | value, width: chosen)
    }

    /// Appends an unsigned integer element in as few bytes as its value needs (§7.2).
    mutating func unsigned(_ elementID: UInt32, _ value: UInt64) {
        let width = max(1, (64 - value.leadingZeroBitCount + 7) / 8)
        id(elementID)
        size(UInt64(width))
        bigEndian(value, width: width)
    }

    /// Appends an unsigned integer element always 8 bytes wide, so it can be patched in place.
    mutating func unsignedFixed(_ elementID: UInt32, _ value: UInt64) {
        id(elementID)
        size(8)
        bigEndian(value, width: 8)
    }

    /// Appends an 8-byte float element (§7.3).
    mutating func float(_ elementID: UInt32, _ value: Double) {
        id(elementID)
        size(8)
        bigEndian(value.bitPattern, width: 8)
    }

    /// Appends a string element (§7.4, §7.5).
    mutating func string(_ elementID: UInt32, _ value: String) {
        let utf8 = Array(value.utf8)
        binary(elementID, utf8)
    }

    /// Appends a binary element (§7.8).
    mutating func binary(_ elementID: UInt32, _ value: [UInt8]) {
        id(elementID)
        size(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Starts a master element with an 8-byte size to be patched by ``endMaster(_:)``;
    /// returns where the size field is.
    mutating func beginMaster(_ elementID: UInt32) -> Int {
        id(elementID)
        let sizeOffset = bytes.count
        size(0, width: 8)
        return sizeOffset
    }

    /// Patches the size of the master element begun at `sizeOffset` to end here.
    mutating func endMaster(_ sizeOffset: Int) {
        patchSize(at: sizeOffset, UInt64(bytes.count - sizeOffset - 8))
    }

    /// Overwrites an 8-byte size field at `offset`.
    mutating func patchSize(at offset: Int, _ value: UInt64) {
        let encoded = (UInt64(1) << 56) | value
        for index in 0..<8 { bytes[offset + index] = UInt8(truncatingIfNeeded: encoded >> UInt64(56 - 8 * index)) }
    }

    /// Appends raw bytes.
    mutating func append(_ raw: UnsafeRawBufferPointer) { bytes.append(contentsOf: raw) }

    /// Appends one byte.
    mutating func append(_ byte: UInt8) { bytes.append(byte) }

    /// Appends the low `width` bytes of `value`, most significant first.
    mutating func bigEndian(_ value: UInt64, width: Int) {
        for shift in stride(from: 8 * (width - 1), through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    /// The shortest vint width for `value` (the all-ones value of a width means "unknown").
    static func vintWidth(_ value: UInt64) -> Int {
        var width = 1
        while width < 8 && value >= (UInt64(1) << UInt64(7 * width)) - 1 { width += 1 }
        return width
    }
}
