import MeshWire

/// Runs `body` with a `ByteWriter` over a fresh buffer of `capacity` bytes and returns what it wrote.
func writtenRTPTestBytes(capacity: Int = 1500, _ body: (inout ByteWriter) throws -> Void) rethrows -> [UInt8] {
    var storage = [UInt8](repeating: 0xEE, count: capacity)
    let count = try storage.withUnsafeMutableBytes { buffer in
        var writer = ByteWriter(buffer)
        try body(&writer)
        return writer.offset
    }
    return Array(storage[0..<count])
}
