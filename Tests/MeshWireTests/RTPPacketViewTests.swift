import MeshWire
import Testing

/// RTP fixed header, RFC 3550 §5.1.
@Suite struct RTPPacketViewTests {
    // v=2, p=0, x=0, cc=2 | m=1, pt=96 | seq=0x1234 | ts=0xDEADBEEF | ssrc=0x11223344
    // csrc[0]=0xAABBCCDD, csrc[1]=0x01020304, payload "hi!"
    static let twoCSRCs: [UInt8] = [
        0x82, 0xE0, 0x12, 0x34,
        0xDE, 0xAD, 0xBE, 0xEF,
        0x11, 0x22, 0x33, 0x44,
        0xAA, 0xBB, 0xCC, 0xDD,
        0x01, 0x02, 0x03, 0x04,
        0x68, 0x69, 0x21,
    ]

    // v=2, p=1, x=1, cc=0 | m=0, pt=111 | seq=1 | ts=2 | ssrc=3
    // extension profile=0xBEDE, length=1 word: id=1 len=1 value 0x7F 0x80, then 1 padding byte
    // payload 0xAA 0xBB, padding 3 octets (0, 0, count=3)
    static let extensionAndPadding: [UInt8] = [
        0xB0, 0x6F, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x03,
        0xBE, 0xDE, 0x00, 0x01,
        0x11, 0x7F, 0x80, 0x00,
        0xAA, 0xBB,
        0x00, 0x00, 0x03,
    ]

    @Test func readsFixedHeaderAndCSRCs() throws {
        try Self.twoCSRCs.withUnsafeBytes { bytes in
            let view = try RTPPacketView(parsing: bytes)
            #expect(view.version == 2)
            #expect(view.marker)
            #expect(view.payloadType == 96)
            #expect(view.sequenceNumber == 0x1234)
            #expect(view.timestamp == 0xDEAD_BEEF)
            #expect(view.ssrc == 0x1122_3344)
            #expect(Array(view.csrcs) == [0xAABB_CCDD, 0x0102_0304])
            #expect(!view.hasExtension)
            #expect(view.headerExtension == nil)
            #expect(Array(view.payload) == Array("hi!".utf8))
            #expect(view.paddingLength == 0)
        }
    }

    @Test func readsExtensionAndPadding() throws {
        try Self.extensionAndPadding.withUnsafeBytes { bytes in
            let view = try RTPPacketView(parsing: bytes)
            #expect(view.hasPadding)
            #expect(view.paddingLength == 3)
            #expect(view.extensionProfile == 0xBEDE)
            #expect(view.headerLength == 20)
            #expect(Array(view.payload) == [0xAA, 0xBB])
            let element = try #require(view.headerExtension?.element(id: 1))
            #expect(Array(element.value) == [0x7F, 0x80])
        }
    }

    @Test(arguments: [twoCSRCs, extensionAndPadding])
    func roundTripsThroughHeader(packet: [UInt8]) throws {
        let rebuilt = try packet.withUnsafeBytes { bytes in
            let view = try RTPPacketView(parsing: bytes)
            return try writtenRTPTestBytes { writer in
                try RTPHeader(view).marshalPacket(
                    payload: view.payload, paddingLength: view.paddingLength, into: &writer)
            }
        }
        #expect(rebuilt == packet)
    }

    @Test(arguments: [twoCSRCs, extensionAndPadding])
    func everyTruncationFailsOrReparsesConsistently(packet: [UInt8]) {
        let headerLength = packet.withUnsafeBytes { bytes in (try? RTPPacketView(parsing: bytes))?.headerLength ?? 0 }
        for length in 0..<packet.count {
            let prefix = Array(packet[0..<length])
            prefix.withUnsafeBytes { bytes in
                do {
                    let view = try RTPPacketView(parsing: bytes)
                    // A cut inside the payload of an unpadded packet is still a valid packet.
                    #expect(length >= headerLength && !view.hasPadding, "prefix of \(length) bytes parsed")
                    #expect(view.payloadRange.upperBound + view.paddingLength == length)
                } catch {
                    #expect(length < headerLength || packet[0] & 0x20 != 0, "prefix of \(length) bytes: \(error)")
                }
            }
        }
    }

    @Test func rejectsMalformedPackets() {
        // v=1: RFC 3550 §5.1 requires version 2.
        var wrongVersion = Self.twoCSRCs
        wrongVersion[0] = 0x42
        #expect(throws: RTPError.unsupportedVersion(1)) {
            try wrongVersion.withUnsafeBytes { try RTPPacketView(parsing: $0) }
        }
        // cc=15 but only two CSRCs present.
        var tooManyCSRCs = Self.twoCSRCs
        tooManyCSRCs[0] = 0x8F
        #expect(throws: RTPError.truncatedHeader(needed: 72, available: 23)) {
            try tooManyCSRCs.withUnsafeBytes { try RTPPacketView(parsing: $0) }
        }
        // Padding count 0: RFC 3550 §5.1 counts the count octet itself.
        var zeroPadding = Self.extensionAndPadding
        zeroPadding[zeroPadding.count - 1] = 0
        #expect(throws: RTPError.invalidPaddingCount(count: 0, available: 5)) {
            try zeroPadding.withUnsafeBytes { try RTPPacketView(parsing: $0) }
        }
        // Padding count larger than everything after the header (RFC 3550 §A.1).
        var hugePadding = Self.extensionAndPadding
        hugePadding[hugePadding.count - 1] = 6
        #expect(throws: RTPError.invalidPaddingCount(count: 6, available: 5)) {
            try hugePadding.withUnsafeBytes { try RTPPacketView(parsing: $0) }
        }
        // Extension length of 3 words where only 1 word plus payload follows.
        var longExtension = Self.extensionAndPadding
        longExtension[15] = 3
        #expect(throws: RTPError.truncatedHeader(needed: 28, available: 25)) {
            try longExtension.withUnsafeBytes { try RTPPacketView(parsing: $0) }
        }
    }

    @Test func rewritesInPlace() throws {
        var packet = Self.twoCSRCs
        try packet.withUnsafeMutableBytes { bytes in
            let rewriter = try RTPPacketRewriter(bytes)
            rewriter.setSSRC(0xCAFE_F00D)
            rewriter.setSequenceNumber(0xFFFF)
            rewriter.setTimestamp(7)
            rewriter.setPayloadType(100)
            rewriter.setMarker(false)
        }
        try packet.withUnsafeBytes { bytes in
            let view = try RTPPacketView(parsing: bytes)
            #expect(view.ssrc == 0xCAFE_F00D)
            #expect(view.sequenceNumber == 0xFFFF)
            #expect(view.timestamp == 7)
            #expect(view.payloadType == 100)
            #expect(!view.marker)
            #expect(Array(view.csrcs) == [0xAABB_CCDD, 0x0102_0304])
            #expect(Array(view.payload) == Array("hi!".utf8))
        }
    }

    @Test func refusesHeadersOutsideTheirFieldRanges() {
        let header = RTPHeader(payloadType: 128, sequenceNumber: 0, timestamp: 0, ssrc: 0)
        #expect(throws: RTPError.payloadTypeOutOfRange(128)) {
            _ = try writtenRTPTestBytes { try header.marshal(into: &$0) }
        }
        let crowded = RTPHeader(
            payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, csrcs: Array(repeating: 1, count: 16))
        #expect(throws: RTPError.tooManyCSRCs(16)) { _ = try writtenRTPTestBytes { try crowded.marshal(into: &$0) } }
        let small = RTPHeader(payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0)
        #expect(throws: RTPError.self) { _ = try writtenRTPTestBytes(capacity: 11) { try small.marshal(into: &$0) } }
    }
}
