import MeshWire
import Testing

/// Compound RTCP packets, RFC 3550 §6.1 and the validity checks of §A.2.
@Suite struct RTCPCompoundTests {
    static let compound: [UInt8] =
        RTCPReportTests.receiverReport + [
            // v=2, p=0, count=1, SDES, len=3
            0x81, 0xCA, 0x00, 0x03,
            // chunk ssrc=0x0A0B0C0D
            0x0A, 0x0B, 0x0C, 0x0D,
            // CNAME, length 5, "alice", then the null item ending the chunk
            0x01, 0x05, 0x61, 0x6C,
            0x69, 0x63, 0x65, 0x00,
        ] + [
            // v=2, p=1, count=1, BYE, len=2
            0xA1, 0xCB, 0x00, 0x02,
            // ssrc=0x0A0B0C0D
            0x0A, 0x0B, 0x0C, 0x0D,
            // padding: 3 zeros and the count 4
            0x00, 0x00, 0x00, 0x04,
        ]

    @Test func iteratesEveryPacket() throws {
        try Self.compound.withUnsafeBytes { bytes in
            var iterator = RTCPCompoundIterator(bytes)
            var types: [UInt8] = []
            while let packet = try iterator.next() {
                types.append(packet.packetType)
                if case .goodbye(let bye) = try RTCPPacket(parsing: packet) {
                    #expect(packet.paddingLength == 4)
                    #expect(Array(bye.ssrcs) == [0x0A0B_0C0D])
                    #expect(bye.reason == nil)
                }
            }
            #expect(types == [201, 202, 203])
        }
    }

    /// The fuzz round trip for compound packets: parse each packet, marshal it, parse again.
    @Test func reparsesWhatItMarshals() throws {
        let rebuilt = try Self.compound.withUnsafeBytes { bytes in
            var iterator = RTCPCompoundIterator(bytes)
            return try writtenRTPTestBytes { writer in
                while let view = try iterator.next() { try RTCPPacket(parsing: view).marshal(into: &writer) }
            }
        }
        // The BYE loses its (optional) padding; everything else is identical.
        #expect(Array(rebuilt[0..<48]) == Array(Self.compound[0..<48]))
        #expect(Array(rebuilt[48...]) == [0x81, 0xCB, 0x00, 0x01, 0x0A, 0x0B, 0x0C, 0x0D])
        try rebuilt.withUnsafeBytes { bytes in
            var iterator = RTCPCompoundIterator(bytes)
            var count = 0
            while try iterator.next() != nil { count += 1 }
            #expect(count == 3)
        }
    }

    @Test func everyTruncationEndsInAnErrorOrAShorterCompound() {
        for length in 0..<Self.compound.count {
            let prefix = Array(Self.compound[0..<length])
            prefix.withUnsafeBytes { bytes in
                var iterator = RTCPCompoundIterator(bytes)
                var consumed = 0
                do {
                    while let packet = try iterator.next() { consumed += packet.bytes.count }
                    // Only cuts on packet boundaries can succeed.
                    #expect([0, 32, 48].contains(length), "prefix of \(length) bytes parsed")
                    #expect(consumed == length)
                } catch {
                    #expect(![0, 32, 48].contains(length), "prefix of \(length) bytes: \(error)")
                }
            }
        }
    }

    @Test func rejectsPaddingBeforeTheLastPacket() {
        // p=1 on the RR (count byte 0xA1) that is followed by the SDES: RFC 3550 §A.2.
        var padded = Self.compound
        padded[0] = 0xA1
        padded[31] = 4  // a valid count in the RR's last word (its DLSR's low byte)
        padded.withUnsafeBytes { bytes in
            var iterator = RTCPCompoundIterator(bytes)
            #expect(throws: RTCPError.paddingNotLast(offset: 0)) { _ = try iterator.next() }
            #expect((try? iterator.next()) == nil, "iteration ends after an error")
        }
    }

    @Test func rejectsBadHeaders() {
        let cases: [([UInt8], RTCPError)] = [
            // v=0
            ([0x01, 0xC9, 0x00, 0x00], .unsupportedVersion(0)),
            // three bytes cannot hold the common header
            ([0x81, 0xC9, 0x00], .truncatedHeader(available: 3)),
            // len=1 says 8 bytes, 4 given
            ([0x80, 0xC9, 0x00, 0x01], .lengthOverrunsBuffer(declared: 8, available: 4)),
            // v=2, p=1, RR, len=1, padding count 5 > 4 body bytes
            ([0xA0, 0xC9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05], .invalidPaddingCount(count: 5, available: 4)),
            // padding count 0 cannot include itself
            ([0xA0, 0xC9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00], .invalidPaddingCount(count: 0, available: 4)),
        ]
        for (bytes, expected) in cases {
            bytes.withUnsafeBytes { buffer in
                var iterator = RTCPCompoundIterator(buffer)
                #expect(throws: expected) { _ = try iterator.next() }
            }
        }
    }

    @Test func keepsUnknownPacketsAsBytes() throws {
        // v=2, p=0, subtype=0, APP, len=2 | ssrc=1 | name "TEST"
        let app: [UInt8] = [0x80, 0xCC, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x54, 0x45, 0x53, 0x54]
        #expect(try rtcpRoundTrip(RTCPPacket.self, app) == app)
    }
}
