/// The CSRC list of an RTP packet (RFC 3550 §5.1), decoded from the bytes on each access.
public struct RTPCSRCList: RandomAccessCollection {
    let bytes: UnsafeRawBufferPointer
    /// How many CSRCs the packet carries (0...15).
    public let count: Int

    /// The first index, always 0.
    public var startIndex: Int { 0 }
    /// One past the last index.
    public var endIndex: Int { count }

    /// The CSRC at `position`; the packet view validated that the list fits.
    public subscript(position: Int) -> UInt32 {
        precondition(position >= 0 && position < count, "CSRC index out of range")
        return bytes.bigEndianUInt32(at: 12 + position * 4)
    }
}
