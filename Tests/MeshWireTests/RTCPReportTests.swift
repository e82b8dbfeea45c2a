import MeshWire
import Testing

/// Sender and Receiver Reports, RFC 3550 §6.4.1 and §6.4.2.
@Suite struct RTCPReportTests {
    static let receiverReport: [UInt8] = [
        // v=2, p=0, count=1, RR, len=7
        0x81, 0xC9, 0x00, 0x07,
        // reporter ssrc=0x0A0B0C0D
        0x0A, 0x0B, 0x0C, 0x0D,
        // block: ssrc=0x11223344
        0x11, 0x22, 0x33, 0x44,
        // fraction lost=64 (25%), cumulative lost=-2 (24-bit two's complement)
        0x40, 0xFF, 0xFF, 0xFE,
        // extended highest sequence=0x0001_0203 (1 cycle, seq 0x0203)
        0x00, 0x01, 0x02, 0x03,
        // jitter=300
        0x00, 0x00, 0x01, 0x2C,
        // lsr=0x12345678
        0x12, 0x34, 0x56, 0x78,
        // dlsr=65536 (one second)
        0x00, 0x01, 0x00, 0x00,
    ]

    static let senderReport: [UInt8] = [
        // v=2, p=0, count=1, SR, len=12
        0x81, 0xC8, 0x00, 0x0C,
        // sender ssrc=0x0A0B0C0D
        0x0A, 0x0B, 0x0C, 0x0D,
        // ntp=0xE1234567_80000000 (…, half a second)
        0xE1, 0x23, 0x45, 0x67,
        0x80, 0x00, 0x00, 0x00,
        // rtp timestamp=90000
        0x00, 0x01, 0x5F, 0x90,
        // packet count=1000
        0x00, 0x00, 0x03, 0xE8,
        // octet count=1200000
        0x00, 0x12, 0x4F, 0x80,
        // block: ssrc=0x55667788, fraction=0, cumulative=3
        0x55, 0x66, 0x77, 0x88,
        0x00, 0x00, 0x00, 0x03,
        // highest=5000, jitter=7, lsr=0, dlsr=0
        0x00, 0x00, 0x13, 0x88,
        0x00, 0x00, 0x00, 0x07,
        0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00,
    ]

    @Test func readsReceiverReportFields() throws {
        try Self.receiverReport.withUnsafeBytes { bytes in
            let report = try ReceiverReport(parsing: bytes)
            #expect(report.ssrc == 0x0A0B_0C0D)
            #expect(report.reportBlocks.count == 1)
            let block = try #require(report.reportBlocks.first)
            #expect(
                block
                    == ReceptionReport(
                        ssrc: 0x1122_3344, fractionLost: 64, cumulativeLost: -2,
                        extendedHighestSequenceNumber: 0x0001_0203,
                        jitter: 300, lastSenderReport: 0x1234_5678, delaySinceLastSenderReport: 65536))
            #expect(report.profileExtension.count == 0)
        }
    }

    @Test func readsSenderReportFields() throws {
        try Self.senderReport.withUnsafeBytes { bytes in
            let report = try SenderReport(parsing: bytes)
            #expect(report.ssrc == 0x0A0B_0C0D)
            #expect(report.ntpTimestamp == 0xE123_4567_8000_0000)
            #expect(report.rtpTimestamp == 90000)
            #expect(report.packetCount == 1000)
            #expect(report.octetCount == 1_200_000)
            #expect(
                Array(report.reportBlocks) == [
                    ReceptionReport(
                        ssrc: 0x5566_7788, cumulativeLost: 3, extendedHighestSequenceNumber: 5000, jitter: 7)
                ])
        }
    }

    @Test func roundTrips() throws {
        #expect(try rtcpRoundTrip(ReceiverReport.self, Self.receiverReport) == Self.receiverReport)
        #expect(try rtcpRoundTrip(SenderReport.self, Self.senderReport) == Self.senderReport)
    }

    @Test func buildsTheSameBytesFromValues() throws {
        let report = ReceiverReport(
            ssrc: 0x0A0B_0C0D,
            reportBlocks: [
                ReceptionReport(
                    ssrc: 0x1122_3344, fractionLost: 64, cumulativeLost: -2, extendedHighestSequenceNumber: 0x0001_0203,
                    jitter: 300, lastSenderReport: 0x1234_5678, delaySinceLastSenderReport: 65536)
            ])
        #expect(report.marshalSize == 32)
        #expect(try writtenRTPTestBytes { try report.marshal(into: &$0) } == Self.receiverReport)
    }

    @Test func handlesEveryTruncation() {
        expectEveryTruncationHandled(ReceiverReport.self, Self.receiverReport)
        expectEveryTruncationHandled(SenderReport.self, Self.senderReport)
    }

    @Test func rejectsMalformedReports() {
        // count=2 but room for one block.
        var twoBlocks = Self.receiverReport
        twoBlocks[0] = 0x82
        expectRTCPError(ReceiverReport.self, twoBlocks, .bodyTooShort(packetType: 201, needed: 52, available: 28))
        // len=8 says 36 bytes, only 32 given.
        var tooLong = Self.receiverReport
        tooLong[3] = 8
        expectRTCPError(ReceiverReport.self, tooLong, .lengthOverrunsBuffer(declared: 36, available: 32))
        // v=3.
        var wrongVersion = Self.senderReport
        wrongVersion[0] = 0xC1
        expectRTCPError(SenderReport.self, wrongVersion, .unsupportedVersion(3))
        // An SR parser handed an RR.
        expectRTCPError(SenderReport.self, Self.receiverReport, .unexpectedPacketType(packetType: 201, format: 1))
        // Too small a buffer to write into: nothing is written, the error says so.
        #expect(throws: RTCPError.self) {
            _ = try writtenRTPTestBytes(capacity: 31) { writer in
                try ReceiverReport(ssrc: 1, reportBlocks: [ReceptionReport(ssrc: 2)]).marshal(into: &writer)
            }
        }
    }
}
