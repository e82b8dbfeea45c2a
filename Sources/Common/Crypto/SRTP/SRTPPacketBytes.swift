import MeshWire

/// The header reads both built-in transforms (RFC 7714 GCM and RFC 3711 AES-CM) share: big-endian
/// loads and stores at offsets the caller has bounds-checked, and the RTP header's length.
enum SRTPPacketBytes {
    /// RFC 3550 §5.1 and §5.3.1: the header's length (fixed part, CSRCs, extension): what GCM
    /// authenticates as AAD (RFC 7714 §8.2) and AES-CM leaves in the clear (RFC 3711 §3.1).
    /// Padding is inside the encrypted payload, so it is not checked.
    static func rtpHeaderLength(_ packet: UnsafeRawBufferPointer) throws(SRTPError) -> Int {
        var reader = ByteReader(packet)
        guard let first = reader.readUInt8(), first >> 6 == 2, reader.skip(11) else { throw .parseError }
        guard reader.skip(Int(first & 0x0F) * 4) else { throw .parseError }
        if first & 0x10 != 0 {
            guard reader.skip(2), let words = reader.readUInt16(), reader.skip(Int(words) * 4) else {
                throw .parseError
            }
        }
        return reader.offset
    }

    static func loadUInt16(_ base: UnsafeRawPointer, at offset: Int) -> UInt16 {
        UInt16(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    static func loadUInt32(_ base: UnsafeRawPointer, at offset: Int) -> UInt32 {
        UInt32(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    static func storeUInt32(_ value: UInt32, to pointer: UnsafeMutableRawPointer) {
        pointer.storeBytes(of: value.bigEndian, as: UInt32.self)
    }
}
