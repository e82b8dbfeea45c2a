import MeshWire
import Testing

/// Parses `bytes` as one `P`, marshals it back, and returns the bytes written.
func rtcpRoundTrip<P: RTCPPacketFormat>(_ type: P.Type, _ bytes: [UInt8]) throws -> [UInt8] {
    try bytes.withUnsafeBytes { buffer in
        let packet = try P(parsing: buffer)
        let written = try writtenRTPTestBytes { writer in try packet.marshal(into: &writer) }
        #expect(written.count == packet.marshalSize)
        return written
    }
}

/// Checks that every strict prefix of a valid packet is refused, and that every word-aligned
/// prefix whose length field is rewritten to match either fails with an ``RTCPError`` or parses
/// into something that marshals and parses again (a fuzz round-trip property).
func expectEveryTruncationHandled<P: RTCPPacketFormat>(
    _ type: P.Type, _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
) {
    for length in 0..<bytes.count {
        let prefix = Array(bytes[0..<length])
        #expect(throws: RTCPError.self, "prefix of \(length) bytes", sourceLocation: sourceLocation) {
            try prefix.withUnsafeBytes { _ = try P(parsing: $0) }
        }
    }
    for length in stride(from: 4, to: bytes.count, by: 4) {
        var prefix = Array(bytes[0..<length])
        prefix[0] &= 0xDF  // the padding, if any, was cut off
        prefix[2] = 0
        prefix[3] = UInt8(length / 4 - 1)
        prefix.withUnsafeBytes { buffer in
            guard let packet = try? P(parsing: buffer) else { return }
            let again = try? writtenRTPTestBytes { writer in try packet.marshal(into: &writer) }
            #expect(again != nil, "re-marshal of \(length)-byte prefix", sourceLocation: sourceLocation)
            if let again {
                #expect(
                    (try? again.withUnsafeBytes { try P(parsing: $0) }) != nil, "re-parse of \(length)-byte prefix",
                    sourceLocation: sourceLocation)
            }
        }
    }
}

/// Parses `bytes` as one `P`, expecting `error`.
func expectRTCPError<P: RTCPPacketFormat>(
    _ type: P.Type, _ bytes: [UInt8], _ error: RTCPError, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(throws: error, sourceLocation: sourceLocation) { try bytes.withUnsafeBytes { _ = try P(parsing: $0) } }
}
