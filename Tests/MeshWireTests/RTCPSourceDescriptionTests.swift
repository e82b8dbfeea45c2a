import MeshWire
import Testing

/// SDES (RFC 3550 §6.5) and BYE (§6.6).
@Suite struct RTCPSourceDescriptionTests {
    static let sdes: [UInt8] = [
        // v=2, p=0, count=2, SDES, len=6
        0x82, 0xCA, 0x00, 0x06,
        // chunk 1: ssrc=0x0A0B0C0D
        0x0A, 0x0B, 0x0C, 0x0D,
        // CNAME len=3 "bob", null item ending the chunk
        0x01, 0x03, 0x62, 0x6F,
        0x62, 0x00, 0x00, 0x00,
        // chunk 2: ssrc=0x11223344
        0x11, 0x22, 0x33, 0x44,
        // CNAME len=1 "x", TOOL len=2 "ab", null item (which lands on the word boundary)
        0x01, 0x01, 0x78, 0x06,
        0x02, 0x61, 0x62, 0x00,
    ]

    static let bye: [UInt8] = [
        // v=2, p=0, count=2, BYE, len=4
        0x82, 0xCB, 0x00, 0x04,
        // ssrc=0x0A0B0C0D, ssrc=0x11223344
        0x0A, 0x0B, 0x0C, 0x0D,
        0x11, 0x22, 0x33, 0x44,
        // reason length=6 "leave!", then a zero octet to the word boundary
        0x06, 0x6C, 0x65, 0x61,
        0x76, 0x65, 0x21, 0x00,
    ]

    static func chunks(of bytes: [UInt8]) throws -> [(UInt32, [(UInt8, String)])] {
        try bytes.withUnsafeBytes { buffer in
            let sdes = try SourceDescription(parsing: buffer)
            return sdes.map { chunk in (chunk.ssrc, chunk.map { ($0.type, String(decoding: $0.text, as: UTF8.self)) }) }
        }
    }

    @Test func readsChunksAndItems() throws {
        let chunks = try Self.chunks(of: Self.sdes)
        #expect(chunks.map(\.0) == [0x0A0B_0C0D, 0x1122_3344])
        #expect(chunks[0].1.map(\.0) == [1])
        #expect(chunks[0].1.map(\.1) == ["bob"])
        #expect(chunks[1].1.map(\.0) == [1, 6])
        #expect(chunks[1].1.map(\.1) == ["x", "ab"])
    }

    @Test func buildsTheSameBytes() throws {
        let sdes = try SourceDescription(chunks: [
            (ssrc: 0x0A0B_0C0D, items: [(type: 1, text: "bob")]),
            (ssrc: 0x1122_3344, items: [(type: 1, text: "x"), (type: 6, text: "ab")]),
        ])
        #expect(try writtenRTPTestBytes { try sdes.marshal(into: &$0) } == Self.sdes)
        let cname = try SourceDescription(ssrc: 7, cname: "abc")
        // "abc" needs 4+2+3 = 9 bytes, the null makes 10, padded to 12.
        #expect(cname.marshalSize == 16)
        #expect(try Self.chunks(of: writtenRTPTestBytes { try cname.marshal(into: &$0) }).first?.1.first?.1 == "abc")
    }

    @Test func readsAndBuildsGoodbye() throws {
        try Self.bye.withUnsafeBytes { bytes in
            let bye = try Goodbye(parsing: bytes)
            #expect(Array(bye.ssrcs) == [0x0A0B_0C0D, 0x1122_3344])
            #expect(bye.reasonText == "leave!")
        }
        let built = Goodbye(ssrcs: [0x0A0B_0C0D, 0x1122_3344], reason: "leave!")
        #expect(try writtenRTPTestBytes { try built.marshal(into: &$0) } == Self.bye)
    }

    @Test func roundTrips() throws {
        #expect(try rtcpRoundTrip(SourceDescription.self, Self.sdes) == Self.sdes)
        #expect(try rtcpRoundTrip(Goodbye.self, Self.bye) == Self.bye)
    }

    @Test func handlesEveryTruncation() {
        expectEveryTruncationHandled(SourceDescription.self, Self.sdes)
        expectEveryTruncationHandled(Goodbye.self, Self.bye)
    }

    @Test func rejectsMalformedPackets() {
        // Item length 9 runs past the packet (§6.5).
        var overrun = Self.sdes
        overrun[9] = 0x30
        expectRTCPError(SourceDescription.self, overrun, .malformedSourceDescription(offset: 4))
        // count=3 but the body holds two chunks.
        var extraChunk = Self.sdes
        extraChunk[0] = 0x83
        expectRTCPError(SourceDescription.self, extraChunk, .malformedSourceDescription(offset: 24))
        // count=1 leaves the second chunk unaccounted for.
        var missingChunk = Self.sdes
        missingChunk[0] = 0x81
        expectRTCPError(SourceDescription.self, missingChunk, .malformedSourceDescription(offset: 12))
        // Reason length 9 with 7 bytes left (§6.6).
        var longReason = Self.bye
        longReason[12] = 9
        expectRTCPError(Goodbye.self, longReason, .goodbyeReasonOverrun(length: 9, available: 7))
        // count=5 SSRCs in a 12-byte body.
        var manySSRCs = Self.bye
        manySSRCs[0] = 0x85
        expectRTCPError(Goodbye.self, manySSRCs, .bodyTooShort(packetType: 203, needed: 20, available: 16))
    }
}
