/// CRC-32 as ISO 3309 / ITU-T V.42 define it (the one zlib and Ethernet use): reflected
/// polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF. STUN's FINGERPRINT is built
/// on it (RFC 8489 §14.7). Implemented here so that MeshWire needs no C library.
public enum CRC32 {
    /// One table entry per byte value, built once on first use.
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        return crc
    }

    /// The CRC-32 of `bytes`; pass a previous result as `continuing` to checksum pieces in turn.
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        var crc = ~previous
        table.withUnsafeBufferPointer { table in
            for byte in bytes {
                // The index is masked to 0...255, inside the 256-entry table.
                crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
            }
        }
        return ~crc
    }
}
