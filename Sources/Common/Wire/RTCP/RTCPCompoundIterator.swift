/// Walks the packets of a compound RTCP packet (RFC 3550 §6.1), validating each common header:
/// version 2, a length that fits, a padding count that fits, and padding only on the last
/// packet (§A.2). Yields borrowed views; allocates nothing.
public struct RTCPCompoundIterator {
    /// The whole compound packet.
    public let bytes: UnsafeRawBufferPointer
    /// Where the next packet starts.
    public private(set) var offset = 0

    /// An iterator over the packets in `bytes`.
    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// The next packet, `nil` after the last, or the rule the next header breaks (after which
    /// iteration ends).
    public mutating func next() throws(RTCPError) -> RTCPPacketView? {
        guard offset < bytes.count else { return nil }
        let start = offset
        do throws(RTCPError) {
            let packet = try RTCPPacketView(parsingFirstPacketOf: UnsafeRawBufferPointer(rebasing: bytes[start...]))
            offset = start + packet.bytes.count
            if packet.hasPadding, offset < bytes.count { throw .paddingNotLast(offset: start) }
            return packet
        } catch {
            offset = bytes.count
            throw error
        }
    }
}
