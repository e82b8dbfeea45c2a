import MeshWire
import Testing

/// Feedback messages: Generic NACK and PLI (RFC 4585 §6.2.1, §6.3.1), FIR (RFC 5104 §4.3.1),
/// REMB (draft-alvestrand-rmcat-remb §2.2).
@Suite struct RTCPFeedbackTests {
    static let nack: [UInt8] = [
        // v=2, p=0, fmt=1, RTPFB, len=4
        0x81, 0xCD, 0x00, 0x04,
        // sender ssrc=0x0A0B0C0D
        0x0A, 0x0B, 0x0C, 0x0D,
        // media ssrc=0x11223344
        0x11, 0x22, 0x33, 0x44,
        // pid=100, blp=0b0000_0000_0000_0101 (101 and 103 lost too)
        0x00, 0x64, 0x00, 0x05,
        // pid=65535, blp=0b1000_0000_0000_0000 (65535+16 wraps to 15)
        0xFF, 0xFF, 0x80, 0x00,
    ]

    static let pli: [UInt8] = [
        // v=2, p=0, fmt=1, PSFB, len=2
        0x81, 0xCE, 0x00, 0x02,
        // sender ssrc=0x0A0B0C0D, media ssrc=0x11223344
        0x0A, 0x0B, 0x0C, 0x0D,
        0x11, 0x22, 0x33, 0x44,
    ]

    static let fir: [UInt8] = [
        // v=2, p=0, fmt=4, PSFB, len=4
        0x84, 0xCE, 0x00, 0x04,
        // sender ssrc=0x0A0B0C0D, media ssrc=0 (RFC 5104 §4.3.1.2)
        0x0A, 0x0B, 0x0C, 0x0D,
        0x00, 0x00, 0x00, 0x00,
        // FCI: ssrc=0x11223344, seq nr=7, reserved=0
        0x11, 0x22, 0x33, 0x44,
        0x07, 0x00, 0x00, 0x00,
    ]

    static let remb: [UInt8] = [
        // v=2, p=0, fmt=15, PSFB, len=5
        0x8F, 0xCE, 0x00, 0x05,
        // sender ssrc=0x0A0B0C0D, media ssrc=0
        0x0A, 0x0B, 0x0C, 0x0D,
        0x00, 0x00, 0x00, 0x00,
        // 'R' 'E' 'M' 'B'
        0x52, 0x45, 0x4D, 0x42,
        // num ssrc=1, exp=2 | mantissa=250000 (0x3D090): 1 Mbit/s
        0x01, 0x0B, 0xD0, 0x90,
        // ssrc=0x11223344
        0x11, 0x22, 0x33, 0x44,
    ]

    @Test func expandsNACKPairsToLostSequenceNumbers() throws {
        try Self.nack.withUnsafeBytes { bytes in
            let nack = try GenericNACK(parsing: bytes)
            #expect(nack.senderSSRC == 0x0A0B_0C0D)
            #expect(nack.mediaSSRC == 0x1122_3344)
            #expect(
                Array(nack.pairs) == [
                    NACKPair(packetID: 100, lostBitmask: 5), NACKPair(packetID: 65535, lostBitmask: 0x8000),
                ])
            #expect(Array(nack.lostSequenceNumbers) == [100, 101, 103, 65535, 15])
        }
    }

    @Test func buildsNACKFromSequenceNumbers() throws {
        let nack = GenericNACK(
            senderSSRC: 0x0A0B_0C0D, mediaSSRC: 0x1122_3344, lostSequenceNumbers: [100, 101, 103, 65535, 15])
        #expect(try writtenRTPTestBytes { try nack.marshal(into: &$0) } == Self.nack)
        // 17 apart needs a second pair; a repeat adds nothing.
        let spread = GenericNACK(senderSSRC: 1, mediaSSRC: 2, lostSequenceNumbers: [10, 10, 27, 43])
        #expect(Array(spread.pairs) == [NACKPair(packetID: 10), NACKPair(packetID: 27, lostBitmask: 0x8000)])
    }

    @Test func readsPLIAndFIRAndREMB() throws {
        try Self.pli.withUnsafeBytes { bytes in
            let pli = try PictureLossIndication(parsing: bytes)
            #expect(pli == PictureLossIndication(senderSSRC: 0x0A0B_0C0D, mediaSSRC: 0x1122_3344))
        }
        try Self.fir.withUnsafeBytes { bytes in
            let fir = try FullIntraRequest(parsing: bytes)
            #expect(Array(fir.entries) == [FullIntraRequestEntry(ssrc: 0x1122_3344, sequenceNumber: 7)])
        }
        try Self.remb.withUnsafeBytes { bytes in
            let remb = try ReceiverEstimatedMaxBitrate(parsing: bytes)
            #expect(remb.exponent == 2)
            #expect(remb.mantissa == 250_000)
            #expect(remb.bitrate == 1_000_000)
            #expect(Array(remb.ssrcs) == [0x1122_3344])
            guard case .receiverEstimatedMaxBitrate = try RTCPPacket(parsing: RTCPPacketView(parsing: bytes)) else {
                Issue.record("REMB not dispatched as REMB")
                return
            }
        }
    }

    @Test func buildsTheSameBytesFromValues() throws {
        let pli = PictureLossIndication(senderSSRC: 0x0A0B_0C0D, mediaSSRC: 0x1122_3344)
        #expect(try writtenRTPTestBytes { try pli.marshal(into: &$0) } == Self.pli)
        let fir = FullIntraRequest(
            senderSSRC: 0x0A0B_0C0D, entries: [FullIntraRequestEntry(ssrc: 0x1122_3344, sequenceNumber: 7)])
        #expect(try writtenRTPTestBytes { try fir.marshal(into: &$0) } == Self.fir)
        let remb = ReceiverEstimatedMaxBitrate(senderSSRC: 0x0A0B_0C0D, bitrate: 1_000_000, ssrcs: [0x1122_3344])
        #expect(try writtenRTPTestBytes { try remb.marshal(into: &$0) } == Self.remb)
    }

    @Test func rembEncodingRoundsDownWithTheSmallestExponent() {
        // 2^18 - 1 fits the mantissa with exponent 0; one more needs exponent 1.
        #expect(ReceiverEstimatedMaxBitrate(senderSSRC: 0, bitrate: 0x3_FFFF, ssrcs: []).exponent == 0)
        let above = ReceiverEstimatedMaxBitrate(senderSSRC: 0, bitrate: 0x4_0001, ssrcs: [])
        #expect(above.exponent == 1)
        #expect(above.bitrate == 0x4_0000)
        // exp=63 with a full mantissa saturates rather than overflowing.
        #expect(ReceiverEstimatedMaxBitrate(senderSSRC: 0, exponent: 63, mantissa: 0x3_FFFF, ssrcs: []).bitrate == .max)
    }

    @Test func roundTrips() throws {
        #expect(try rtcpRoundTrip(GenericNACK.self, Self.nack) == Self.nack)
        #expect(try rtcpRoundTrip(PictureLossIndication.self, Self.pli) == Self.pli)
        #expect(try rtcpRoundTrip(FullIntraRequest.self, Self.fir) == Self.fir)
        #expect(try rtcpRoundTrip(ReceiverEstimatedMaxBitrate.self, Self.remb) == Self.remb)
        #expect(try rtcpRoundTrip(RTCPPacket.self, Self.remb) == Self.remb)
    }

    @Test func handlesEveryTruncation() {
        expectEveryTruncationHandled(GenericNACK.self, Self.nack)
        expectEveryTruncationHandled(PictureLossIndication.self, Self.pli)
        expectEveryTruncationHandled(FullIntraRequest.self, Self.fir)
        expectEveryTruncationHandled(ReceiverEstimatedMaxBitrate.self, Self.remb)
    }

    @Test func rejectsMalformedFeedback() {
        // NACK whose FCI is one pair and half of another, the rest RTCP padding of 2
        // (v=2, p=1, fmt=1, RTPFB, len=4): RFC 4585 §6.2.1 needs whole pairs.
        var partialNACK = Array(Self.nack[0..<16]) + [0xAB, 0xCD, 0x00, 0x02]
        partialNACK[0] = 0xA1
        expectRTCPError(GenericNACK.self, partialNACK, .partialFeedbackEntry(fciLength: 6, entrySize: 4))
        // FIR FCI of one word instead of two (RFC 5104 §4.3.1).
        var shortFIR = Array(Self.fir[0..<16])
        shortFIR[3] = 3
        expectRTCPError(FullIntraRequest.self, shortFIR, .partialFeedbackEntry(fciLength: 4, entrySize: 8))
        // PLI without its media SSRC.
        var shortPLI = Array(Self.pli[0..<8])
        shortPLI[3] = 1
        expectRTCPError(PictureLossIndication.self, shortPLI, .bodyTooShort(packetType: 206, needed: 8, available: 4))
        // REMB identifier spelled 'REMX'.
        var notREMB = Self.remb
        notREMB[15] = 0x58
        expectRTCPError(ReceiverEstimatedMaxBitrate.self, notREMB, .missingREMBIdentifier)
        // REMB claiming two SSRCs but carrying one.
        var countMismatch = Self.remb
        countMismatch[16] = 2
        expectRTCPError(
            ReceiverEstimatedMaxBitrate.self, countMismatch, .rembSSRCCountMismatch(declared: 2, available: 1))
        // A PLI parser handed a FIR.
        expectRTCPError(PictureLossIndication.self, Self.fir, .unexpectedPacketType(packetType: 206, format: 4))
    }
}
