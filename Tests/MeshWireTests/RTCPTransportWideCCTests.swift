import MeshWire
import Testing

/// Transport-wide CC feedback, draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.
@Suite struct RTCPTransportWideCCTests {
    static let feedback: [UInt8] = [
        // v=2, p=1, fmt=15, RTPFB, len=6
        0xAF, 0xCD, 0x00, 0x06,
        // sender ssrc=0x0A0B0C0D
        0x0A, 0x0B, 0x0C, 0x0D,
        // media ssrc=0x11223344
        0x11, 0x22, 0x33, 0x44,
        // base sequence=5, packet status count=4
        0x00, 0x05, 0x00, 0x04,
        // reference time=1 (64 ms), feedback packet count=9
        0x00, 0x00, 0x01, 0x09,
        // status vector chunk, T=1 S=1 (two-bit): small, not received, large, small, 0, 0, 0
        0xD2, 0x40,
        // recv deltas: small 4 (1 ms), large -4 (-1 ms), small 1 (250 µs)
        0x04, 0xFF, 0xFC, 0x01,
        // RTCP padding: one zero and the count 2
        0x00, 0x02,
    ]

    static func statuses(_ bytes: [UInt8]) throws -> [TransportWideCCFeedback.PacketStatus] {
        try bytes.withUnsafeBytes { Array(try TransportWideCCFeedback(parsing: $0).packetStatuses) }
    }

    static func marshal(_ feedback: TransportWideCCFeedback) throws -> [UInt8] {
        try writtenRTPTestBytes { try feedback.marshal(into: &$0) }
    }

    @Test func readsFieldsAndStatuses() throws {
        try Self.feedback.withUnsafeBytes { bytes in
            let feedback = try TransportWideCCFeedback(parsing: bytes)
            #expect(feedback.senderSSRC == 0x0A0B_0C0D)
            #expect(feedback.mediaSSRC == 0x1122_3344)
            #expect(feedback.baseSequenceNumber == 5)
            #expect(feedback.packetStatusCount == 4)
            #expect(feedback.referenceTime == 1)
            #expect(feedback.feedbackPacketCount == 9)
        }
        let statuses = try Self.statuses(Self.feedback)
        #expect(statuses.map(\.sequenceNumber) == [5, 6, 7, 8])
        #expect(statuses.map(\.receiveDelta) == [4, nil, -4, 1])
        #expect(statuses.map(\.receiveDeltaMicroseconds) == [1000, nil, -1000, 250])
    }

    @Test func buildsTheSameBytesFromArrivalTimes() throws {
        // 64 ms + 1 ms; lost; back 1 ms; 250 µs later.
        let built = try TransportWideCCFeedback(
            senderSSRC: 0x0A0B_0C0D, mediaSSRC: 0x1122_3344, feedbackPacketCount: 9, baseSequenceNumber: 5,
            receiveTimes: [65_000, nil, 64_000, 64_250])
        #expect(try Self.marshal(built) == Self.feedback)
    }

    @Test func roundTrips() throws {
        #expect(try rtcpRoundTrip(TransportWideCCFeedback.self, Self.feedback) == Self.feedback)
        #expect(try rtcpRoundTrip(RTCPPacket.self, Self.feedback) == Self.feedback)
    }

    @Test func encodesLongRunsAsRunLengthChunks() throws {
        // 20 packets 250 µs apart: one run-length chunk, T=0 S=1 (small delta) length 20.
        let times = (0..<20).map { Int64(128_000 + 250 * $0) as Int64? }
        let built = try TransportWideCCFeedback(
            senderSSRC: 1, mediaSSRC: 2, feedbackPacketCount: 0, baseSequenceNumber: 100, receiveTimes: times)
        #expect(Array(built.statusBytes.array.prefix(2)) == [0x20, 0x14])
        let statuses = try Self.statuses(Self.marshal(built))
        #expect(statuses.count == 20)
        #expect(statuses.map(\.receiveDelta) == [0] + Array(repeating: 1, count: 19))
    }

    @Test func encodesMixedSmallRunsAsOneBitVectors() throws {
        // received, lost, … five times: T=1 S=0 with bits 1010101010 → 0xAAA0.
        let times: [Int64?] = (0..<10).map { $0 % 2 == 0 ? Int64(1_000 * $0) : nil }
        let built = try TransportWideCCFeedback(
            senderSSRC: 1, mediaSSRC: 2, feedbackPacketCount: 0, baseSequenceNumber: 0, receiveTimes: times)
        #expect(Array(built.statusBytes.array.prefix(2)) == [0xAA, 0xA0])
        #expect(try Self.statuses(Self.marshal(built)).map(\.isReceived) == times.map { $0 != nil })
    }

    @Test func buildsFromSparseArrivalsAcrossTheWrap() throws {
        let arrivals: [(sequenceNumber: UInt16, arrivalTime: Int64)] = [
            (sequenceNumber: 65534, arrivalTime: 1_000_000), (sequenceNumber: 0, arrivalTime: 1_002_000),
            (sequenceNumber: 65535, arrivalTime: 1_001_000), (sequenceNumber: 3, arrivalTime: 1_003_000),
        ]
        let built = try TransportWideCCFeedback(senderSSRC: 1, mediaSSRC: 2, feedbackPacketCount: 3, arrivals: arrivals)
        #expect(built.baseSequenceNumber == 65534)
        #expect(built.packetStatusCount == 6)
        let statuses = try Self.statuses(Self.marshal(built))
        #expect(statuses.map(\.sequenceNumber) == [65534, 65535, 0, 1, 2, 3])
        #expect(statuses.map(\.isReceived) == [true, true, true, false, false, true])
        // Rebuild the arrival times from the reference time and the deltas.
        var clock = Int64(built.referenceTime) * TransportWideCCFeedback.referenceTimeUnitMicroseconds
        var rebuilt: [Int64] = []
        for status in statuses {
            if let delta = status.receiveDeltaMicroseconds { clock += delta; rebuilt.append(clock) }
        }
        #expect(rebuilt == [1_000_000, 1_001_000, 1_002_000, 1_003_000])
    }

    @Test func refusesDeltasThatDoNotFit() {
        // 10 s between arrivals is 40000 ticks, beyond a signed 16-bit delta.
        #expect(throws: RTCPError.self) {
            _ = try TransportWideCCFeedback(
                senderSSRC: 1, mediaSSRC: 2, feedbackPacketCount: 0, baseSequenceNumber: 0,
                receiveTimes: [0, 10_000_000])
        }
    }

    @Test func signExtendsTheReferenceTime() throws {
        var negative = Self.feedback
        negative[16...18] = [0xFF, 0xFF, 0xFF]
        let parsed = try negative.withUnsafeBytes { try TransportWideCCFeedback(parsing: $0).referenceTime }
        #expect(parsed == -1)
        #expect(try rtcpRoundTrip(TransportWideCCFeedback.self, negative) == negative)
    }

    @Test func handlesEveryTruncation() {
        expectEveryTruncationHandled(TransportWideCCFeedback.self, Self.feedback)
    }

    @Test func rejectsMalformedFeedback() {
        // Run-length chunk with the reserved symbol 3: T=0 S=3 length 4 = 0x6004.
        var reservedRun = Self.feedback
        reservedRun[20...21] = [0x60, 0x04]
        expectRTCPError(TransportWideCCFeedback.self, reservedRun, .reservedPacketStatusSymbol(offset: 0))
        // Two-bit vector whose second symbol is 3: 0b11_01_11_10_01_00_00_00 = 0xDE40.
        var reservedVector = Self.feedback
        reservedVector[20...21] = [0xDE, 0x40]
        expectRTCPError(TransportWideCCFeedback.self, reservedVector, .reservedPacketStatusSymbol(offset: 0))
        // Status count 100: the one chunk covers 7, the next "chunks" are deltas, then nothing.
        var manyStatuses = Self.feedback
        manyStatuses[14...15] = [0x00, 0x64]
        #expect(throws: RTCPError.self) {
            try manyStatuses.withUnsafeBytes { _ = try TransportWideCCFeedback(parsing: $0) }
        }
        // Padding of 4 swallows the last two delta bytes.
        var shortDeltas = Self.feedback
        shortDeltas[27] = 4
        expectRTCPError(TransportWideCCFeedback.self, shortDeltas, .packetStatusOverrun(needed: 6, available: 4))
        // A NACK parser handed transport-wide feedback (same type, FMT 15).
        expectRTCPError(GenericNACK.self, Self.feedback, .unexpectedPacketType(packetType: 205, format: 15))
    }
}
