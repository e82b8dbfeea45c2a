import MeshWire

/// Reads the frames of an IVF file (the libvpx container: a 32-byte file header starting
/// "DKIF", then per frame a 12-byte header with a little-endian size and timestamp).
/// Control plane: runs once per clip; throws on malformed bytes, never traps.
enum IVFReader {
    /// The file header's size, which the header also records at offset 6.
    static let fileHeaderSize = 32
    /// The per-frame header: 4-byte size, 8-byte presentation timestamp (both little-endian).
    static let frameHeaderSize = 12

    /// The frames of `bytes`, which must be a VP8 ("VP80") IVF file.
    static func frames(in bytes: [UInt8]) throws(MediaFileError) -> [[UInt8]] {
        guard bytes.count >= fileHeaderSize, bytes[0..<4].elementsEqual("DKIF".utf8) else {
            throw MediaFileError("IVF: no DKIF signature in the first 32 bytes")
        }
        guard bytes[8..<12].elementsEqual("VP80".utf8) else {
            throw MediaFileError("IVF: fourcc is not VP80")
        }
        let headerSize = Int(littleEndian16(bytes, at: 6))
        guard headerSize >= fileHeaderSize, headerSize <= bytes.count else {
            throw MediaFileError("IVF: header size \(headerSize) is outside the file")
        }
        var frames: [[UInt8]] = []
        var offset = headerSize
        while offset < bytes.count {
            guard bytes.count - offset >= frameHeaderSize else {
                throw MediaFileError("IVF: truncated frame header at byte \(offset)")
            }
            let size = Int(littleEndian32(bytes, at: offset))
            let start = offset + frameHeaderSize
            guard size > 0, size <= bytes.count - start else {
                throw MediaFileError("IVF: frame of \(size) bytes at byte \(offset) runs past the end")
            }
            frames.append(Array(bytes[start..<(start + size)]))
            offset = start + size
        }
        return frames
    }

    private static func littleEndian16(_ bytes: [UInt8], at offset: Int) -> UInt16 {
        UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    private static func littleEndian32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
            | UInt32(bytes[offset + 3]) << 24
    }
}
