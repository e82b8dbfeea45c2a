import MeshWire
import Testing

/// RFC 8285 header extensions: layouts of §4.2 (one-byte) and §4.3 (two-byte).
@Suite struct RTPHeaderExtensionTests {
    // The RFC 8285 §4.2 example block after the 0xBEDE/length=3 preamble:
    // id=1 L=0 (1 byte) | id=2 L=1 (2 bytes) | pad | pad | id=3 L=3 (4 bytes)
    static let oneByteExample: [UInt8] = [
        0x10, 0xA1, 0x21, 0xB1,
        0xB2, 0x00, 0x00, 0x33,
        0xC1, 0xC2, 0xC3, 0xC4,
    ]

    // The RFC 8285 §4.3 example block after the 0x1000/length=3 preamble:
    // id=1 L=0 | id=2 L=1 data | pad | id=3 L=4 data(4)
    static let twoByteExample: [UInt8] = [
        0x01, 0x00, 0x02, 0x01,
        0xB1, 0x00, 0x03, 0x04,
        0xC1, 0xC2, 0xC3, 0xC4,
    ]

    /// An RTP packet (pt=96, seq=7, ts=9, ssrc=0x01020304) carrying `data` under `profile`, payload 0xFA 0xFB.
    static func packet(profile: UInt16, data: [UInt8]?, padding: Int = 0) throws -> [UInt8] {
        let header = RTPHeader(
            payloadType: 96, sequenceNumber: 7, timestamp: 9, ssrc: 0x0102_0304, extensionProfile: profile,
            extensionData: data)
        return try writtenRTPTestBytes { writer in
            try ([0xFA, 0xFB] as [UInt8]).withUnsafeBytes {
                try header.marshalPacket(payload: $0, paddingLength: padding, into: &writer)
            }
        }
    }

    static func elements(of packet: [UInt8]) throws -> [(UInt8, [UInt8])] {
        try packet.withUnsafeBytes { bytes in
            let view = try RTPPacketView(parsing: bytes)
            return (view.headerExtension.map { block in block.map { ($0.id, Array($0.value)) } }) ?? []
        }
    }

    @Test func readsOneByteExampleOfRFC8285Section4_2() throws {
        let packet = try Self.packet(profile: 0xBEDE, data: Self.oneByteExample)
        let elements = try Self.elements(of: packet)
        #expect(elements.map(\.0) == [1, 2, 3])
        #expect(elements.map(\.1) == [[0xA1], [0xB1, 0xB2], [0xC1, 0xC2, 0xC3, 0xC4]])
        try packet.withUnsafeBytes { bytes in
            let block = try #require(try RTPPacketView(parsing: bytes).headerExtension)
            #expect(block.form == .oneByte)
            try block.validate()
            #expect(block.element(id: 2).map { Array($0.value) } == [0xB1, 0xB2])
            #expect(block.element(id: 4) == nil)
        }
    }

    @Test func readsTwoByteExampleOfRFC8285Section4_3() throws {
        let packet = try Self.packet(profile: 0x1000, data: Self.twoByteExample)
        let elements = try Self.elements(of: packet)
        #expect(elements.map(\.0) == [1, 2, 3])
        #expect(elements.map(\.1) == [[], [0xB1], [0xC1, 0xC2, 0xC3, 0xC4]])
        try packet.withUnsafeBytes { bytes in
            let block = try #require(try RTPPacketView(parsing: bytes).headerExtension)
            #expect(block.form == .twoByte(appBits: 0))
            try block.validate()
        }
    }

    @Test func oneByteIDFifteenEndsProcessing() throws {
        // RFC 8285 §4.2: id=1 L=0 data, then id=15 (length ignored), then bytes never read.
        let data: [UInt8] = [0x10, 0xAA, 0xF3, 0x20]
        let packet = try Self.packet(profile: 0xBEDE, data: data)
        #expect(try Self.elements(of: packet).map(\.0) == [1])
        try packet.withUnsafeBytes { bytes in try #require(try RTPPacketView(parsing: bytes).headerExtension).validate()
        }
    }

    @Test func rejectsMalformedBlocks() throws {
        let cases: [(UInt16, [UInt8], RTPHeaderExtensionError)] = [
            // One-byte id=1 L=15 claims 16 bytes; only 3 follow (RFC 8285 §4.2).
            (0xBEDE, [0x1F, 0x00, 0x00, 0x00], .elementOverrunsBlock(id: 1, offset: 0)),
            // Two-byte id=5 L=9 claims 9 bytes; only 2 follow (§4.3).
            (0x1000, [0x05, 0x09, 0x01, 0x02], .elementOverrunsBlock(id: 5, offset: 0)),
            // Two-byte id=5 alone in the last byte has no length byte.
            (0x1000, [0x00, 0x00, 0x00, 0x05], .elementOverrunsBlock(id: 5, offset: 3)),
            // One-byte id=0 with L=2: id 0 is reserved for padding bytes of value 0 (§4.2).
            (0xBEDE, [0x02, 0x01, 0x02, 0x03], .idOutOfRange(0)),
            // Profile 0xABCD is not RFC 8285 (§4.1).
            (0xABCD, [0x10, 0x01, 0x00, 0x00], .notRFC8285Profile(0xABCD)),
        ]
        for (profile, data, expected) in cases {
            let packet = try Self.packet(profile: profile, data: data)
            try packet.withUnsafeBytes { bytes in
                let block = try #require(try RTPPacketView(parsing: bytes).headerExtension)
                #expect(throws: expected) { try block.validate() }
            }
        }
    }

    @Test(arguments: [(UInt16(0xBEDE), oneByteExample), (UInt16(0x1000), twoByteExample)])
    func everyTruncatedBlockStopsWithoutTrapping(profile: UInt16, data: [UInt8]) {
        for length in 0...data.count {
            let prefix = Array(data[0..<length])
            prefix.withUnsafeBytes { bytes in
                let block = RTPHeaderExtensionView(profile: profile, data: bytes)
                let count = block.reduce(0) { total, _ in total + 1 }
                // Every element the iterator yields lies within the truncated block.
                #expect(block.allSatisfy { $0.valueRange.upperBound <= length })
                #expect(count <= 3)
                if (try? block.validate()) == nil { #expect(length < data.count) }
            }
        }
    }

    @Test func rewritesValueInPlace() throws {
        var packet = try Self.packet(profile: 0xBEDE, data: Self.oneByteExample)
        try packet.withUnsafeMutableBytes { bytes in
            let rewriter = try RTPPacketRewriter(bytes)
            try ([0x0D, 0x0E] as [UInt8]).withUnsafeBytes { try rewriter.setHeaderExtensionValue(id: 2, to: $0) }
            #expect(throws: RTPHeaderExtensionError.valueLengthMismatch(expected: 2, got: 1)) {
                try ([0x01] as [UInt8]).withUnsafeBytes { try rewriter.setHeaderExtensionValue(id: 2, to: $0) }
            }
            #expect(throws: RTPHeaderExtensionError.missingID(9)) {
                try ([0x01] as [UInt8]).withUnsafeBytes { try rewriter.setHeaderExtensionValue(id: 9, to: $0) }
            }
        }
        #expect(try Self.elements(of: packet).map(\.1) == [[0xA1], [0x0D, 0x0E], [0xC1, 0xC2, 0xC3, 0xC4]])
    }

    static func adding(_ id: UInt8, _ value: [UInt8], to packet: [UInt8]) throws -> [UInt8] {
        try packet.withUnsafeBytes { bytes in
            let view = try RTPPacketView(parsing: bytes)
            return try writtenRTPTestBytes { writer in
                try value.withUnsafeBytes { try view.marshal(addingHeaderExtension: id, value: $0, into: &writer) }
            }
        }
    }

    @Test func addsToAPacketWithoutExtension() throws {
        let plain = try Self.packet(profile: 0, data: nil, padding: 4)
        let added = try Self.adding(5, [0x11, 0x22, 0x33], to: plain)
        // v=2, p=1, x=1 | pt=96 | seq=7 | ts=9 | ssrc | 0xBEDE length=1 | id=5 L=2 value | payload | padding 4
        #expect(
            added == [
                0xB0, 0x60, 0x00, 0x07,
                0x00, 0x00, 0x00, 0x09,
                0x01, 0x02, 0x03, 0x04,
                0xBE, 0xDE, 0x00, 0x01,
                0x52, 0x11, 0x22, 0x33,
                0xFA, 0xFB,
                0x00, 0x00, 0x00, 0x04,
            ])
    }

    @Test func keepsOneByteFormWhenItFits() throws {
        let packet = try Self.packet(profile: 0xBEDE, data: Self.oneByteExample)
        let added = try Self.adding(4, [0x44], to: packet)
        // 1+1, 1+2, 1+4, 1+1 = 12 bytes: three words with the padding dropped.
        #expect(Array(added[12..<16]) == [0xBE, 0xDE, 0x00, 0x03])
        #expect(try Self.elements(of: added).map(\.0) == [1, 2, 3, 4])
        #expect(try Self.elements(of: added).last?.1 == [0x44])
    }

    @Test(arguments: [(UInt8(15), [UInt8]([0x01])), (UInt8(4), []), (UInt8(4), [UInt8](repeating: 7, count: 17))])
    func switchesToTwoByteFormWhenNeeded(id: UInt8, value: [UInt8]) throws {
        let packet = try Self.packet(profile: 0xBEDE, data: Self.oneByteExample)
        let added = try Self.adding(id, value, to: packet)
        try added.withUnsafeBytes { bytes in
            let view = try RTPPacketView(parsing: bytes)
            let block = try #require(view.headerExtension)
            #expect(block.form == .twoByte(appBits: 0))
            try block.validate()
            #expect(block.data.count % 4 == 0)
            #expect(Array(view.payload) == [0xFA, 0xFB])
        }
        let elements = try Self.elements(of: added)
        #expect(elements.map(\.0) == [1, 2, 3, id])
        #expect(elements.map(\.1) == [[0xA1], [0xB1, 0xB2], [0xC1, 0xC2, 0xC3, 0xC4], value])
    }

    @Test func refusesDuplicateAndInvalidIDs() throws {
        let packet = try Self.packet(profile: 0x1000, data: Self.twoByteExample)
        #expect(throws: RTPHeaderExtensionError.duplicateID(3)) { _ = try Self.adding(3, [1], to: packet) }
        #expect(throws: RTPHeaderExtensionError.idOutOfRange(0)) { _ = try Self.adding(0, [1], to: packet) }
        #expect(throws: RTPHeaderExtensionError.valueTooLong(256)) {
            _ = try Self.adding(9, [UInt8](repeating: 0, count: 256), to: packet)
        }
        let foreign = try Self.packet(profile: 0xABCD, data: [0, 0, 0, 0])
        #expect(throws: RTPHeaderExtensionError.notRFC8285Profile(0xABCD)) { _ = try Self.adding(1, [1], to: foreign) }
    }
}
