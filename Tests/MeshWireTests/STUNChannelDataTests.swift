import MeshWire
import Testing

/// TURN ChannelData framing (RFC 8656 §12.4, §12.5).
@Suite struct STUNChannelDataTests {
    @Test func parsesAnnotatedFrame() throws {
        let frame: [UInt8] = [
            0x40, 0x01,  // channel number 0x4001
            0x00, 0x05,  // length 5
            0x68, 0x65, 0x6c, 0x6c, 0x6f,  // "hello"
            0x00, 0x00, 0x00,  // padding (optional over UDP, ignored)
        ]
        try frame.withUnsafeBytes { bytes in
            let parsed = try TURNChannelData(parsing: bytes)
            #expect(parsed.channelNumber == 0x4001)
            #expect(Array(parsed.payload) == Array("hello".utf8))
            #expect(TURNChannelData.framedLength(of: bytes) == 12)
        }
    }

    @Test(arguments: [0, 1, 3, 4, 5, 1200])
    func roundTrips(payloadLength: Int) throws {
        let payload = (0..<payloadLength).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for padded in [false, true] {
            var storage = [UInt8](repeating: 0xEE, count: 1300)
            let written = try storage.withUnsafeMutableBytes { buffer in
                var writer = ByteWriter(buffer)
                try payload.withUnsafeBytes { payload in
                    try TURNChannelData.write(
                        channelNumber: 0x4FFF, payload: payload, padToFourBytes: padded, into: &writer)
                }
                return writer.offset
            }
            let expected = padded ? 4 + ((payloadLength + 3) & ~3) : 4 + payloadLength
            #expect(written == expected)
            try Array(storage[..<written]).withUnsafeBytes { bytes in
                let parsed = try TURNChannelData(parsing: bytes)
                #expect(parsed.channelNumber == 0x4FFF)
                #expect(Array(parsed.payload) == payload)
                #expect(RFC7983Demultiplexer.classify(bytes) == .turnChannel)
            }
        }
    }

    @Test func rejectsTruncationAndBadChannels() throws {
        let frame: [UInt8] = [0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4]
        for count in 0..<frame.count {
            _ = Array(frame[..<count]).withUnsafeBytes { bytes in
                #expect(throws: STUNError.channelDataTruncated) { try TURNChannelData(parsing: bytes) }
            }
        }
        for channel: UInt16 in [0x3FFF, 0x5000, 0x7FFF, 0x0001] {
            let bad = [UInt8(channel >> 8), UInt8(channel & 0xFF), 0, 0]
            _ = bad.withUnsafeBytes { bytes in
                #expect(throws: STUNError.channelNumberOutOfRange(channel)) { try TURNChannelData(parsing: bytes) }
            }
        }
        var storage = [UInt8](repeating: 0, count: 16)
        storage.withUnsafeMutableBytes { buffer in
            var writer = ByteWriter(buffer)
            #expect(throws: STUNError.channelNumberOutOfRange(0x5000)) {
                try TURNChannelData.write(
                    channelNumber: 0x5000, payload: UnsafeRawBufferPointer(start: nil, count: 0), padToFourBytes: false,
                    into: &writer)
            }
        }
    }
}
