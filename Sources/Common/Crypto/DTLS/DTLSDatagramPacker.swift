/// Cuts the byte stream OpenSSL writes into its memory BIO back into DTLS records and packs
/// whole records into datagrams no larger than the MTU.
///
/// A memory BIO loses datagram boundaries; DTLS records carry their own length (RFC 6347 §4.1),
/// and several records may share one datagram (RFC 6347 §4.1.1), so re-packing by record is
/// exact. OpenSSL keeps each record within the MTU it was given.
enum DTLSDatagramPacker {
    /// Type, version, epoch, sequence number, length (RFC 6347 §4.1).
    static let recordHeaderLength = 13

    /// Appends the datagrams that carry `bytes` to `datagrams`.
    static func pack(_ bytes: UnsafeRawBufferPointer, mtu: Int, into datagrams: inout [[UInt8]]) {
        var current: [UInt8] = []
        var offset = 0
        while offset < bytes.count {
            let recordLength = Self.recordLength(in: bytes, at: offset)
            if !current.isEmpty, current.count &+ recordLength > mtu {
                datagrams.append(current)
                current = []
            }
            current.append(contentsOf: bytes[offset..<(offset &+ recordLength)])
            offset &+= recordLength
        }
        if !current.isEmpty { datagrams.append(current) }
    }

    /// The length of the record starting at `offset`, header included; a truncated header or
    /// body (never produced by OpenSSL) is treated as running to the end of the bytes.
    private static func recordLength(in bytes: UnsafeRawBufferPointer, at offset: Int) -> Int {
        let remaining = bytes.count &- offset
        guard remaining >= recordHeaderLength else { return remaining }
        let bodyLength = Int(bytes[offset &+ 11]) << 8 | Int(bytes[offset &+ 12])
        return min(recordHeaderLength &+ bodyLength, remaining)
    }
}
