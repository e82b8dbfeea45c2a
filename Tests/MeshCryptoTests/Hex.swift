/// Test vectors are written in hex as the RFCs print them; whitespace is ignored.
func hex(_ text: String) -> [UInt8] {
    let digits = text.compactMap { $0.hexDigitValue }
    precondition(digits.count == text.filter { !$0.isWhitespace }.count && digits.count % 2 == 0, "bad hex: \(text)")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(digits[$0] << 4 | digits[$0 + 1]) }
}

/// Runs `body` over a copy of `packet` in a buffer with `room` spare bytes after it, and returns
/// the first `length` bytes `body` reports.
func inBuffer(
    _ packet: [UInt8], room: Int = 64, _ body: (UnsafeMutableRawBufferPointer, Int) throws -> Int
) rethrows -> [UInt8] {
    var storage = packet + [UInt8](repeating: 0, count: room)
    return try storage.withUnsafeMutableBytes { buffer in
        let length = try body(buffer, packet.count)
        return Array(buffer[0..<length])
    }
}
