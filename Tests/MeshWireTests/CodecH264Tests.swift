import MeshWire
import Testing

/// H.264 payloads in packetization-mode 1, RFC 6184 §5.6 (single NAL unit), §5.7.1 (STAP-A,
/// Figure 7) and §5.8 (FU-A, Figures 14 and 15).
@Suite struct CodecH264Tests {
    /// A STAP-A carrying an SPS and a PPS, as encoders send before an IDR picture.
    static let aggregationSPSAndPPS: [UInt8] = [
        0x78,  // STAP-A NAL header: F=0 NRI=3 Type=24
        0x00, 0x04,  // NALU 1 size = 4
        0x67, 0x42, 0xC0, 0x1F,  // SPS: F=0 NRI=3 Type=7, profile_idc=66...
        0x00, 0x02,  // NALU 2 size = 2
        0x68, 0xCE,  // PPS: F=0 NRI=3 Type=8
    ]

    @Test func singleIDRSliceIsKeyFrame() throws {
        let payload = try withPayload([0x65, 0x88, 0x84]) { try H264Payload(parsing: $0) }  // F=0 NRI=3 Type=5
        #expect(payload.kind == .singleNALUnit)
        #expect(payload.header.unitType == .idrSlice)
        #expect(payload.header.referenceIndication == 3)
        #expect(payload.containsIDR)
        #expect(payload.isKeyFrame)
        #expect(payload.payloadOffset == 0)
    }

    @Test func singleNonIDRSliceIsNotKeyFrame() throws {
        let payload = try withPayload([0x41, 0x9A, 0x02]) { try H264Payload(parsing: $0) }  // NRI=2 Type=1
        #expect(payload.header.unitType == .nonIDRSlice)
        #expect(!payload.isKeyFrame)
    }

    @Test func aggregationIteratesUnitsWithoutCopying() throws {
        try withPayload(Self.aggregationSPSAndPPS) { bytes in
            let payload = try H264Payload(parsing: bytes)
            #expect(payload.kind == .aggregation(count: 2))
            #expect(payload.containsSPS && payload.containsPPS && !payload.containsIDR)
            #expect(payload.isKeyFrame)
            var units: [H264AggregatedUnits.Unit] = []
            for unit in payload.aggregatedUnits(in: bytes) { units.append(unit) }
            #expect(units.count == 2)
            #expect(units.first?.header.unitType == .sequenceParameterSet)
            #expect(units.first?.range == 3..<7)
            #expect(units.last?.header.unitType == .pictureParameterSet)
            #expect(units.last?.range == 9..<11)
        }
    }

    @Test func aggregationOfNonIDRSliceIsNotKeyFrame() throws {
        let bytes: [UInt8] = [
            0x78,  // STAP-A
            0x00, 0x02, 0x06, 0x05,  // SEI (Type=6), 2 bytes
            0x00, 0x02, 0x41, 0x9A,  // non-IDR slice (Type=1), 2 bytes
        ]
        let payload = try withPayload(bytes) { try H264Payload(parsing: $0) }
        #expect(payload.kind == .aggregation(count: 2))
        #expect(!payload.isKeyFrame)
    }

    @Test(arguments: [
        ([UInt8]([0x78]), CodecPayloadError.h264AggregationEmpty),  // no unit at all
        ([0x78, 0x00], .h264AggregationMalformed),  // half a size field
        ([0x78, 0x00, 0x03, 0x67, 0x42], .h264AggregationMalformed),  // size 3, 2 bytes left
        ([0x78, 0x00, 0x00], .h264AggregationMalformed),  // size 0: no NAL header
        ([0x78, 0x00, 0x01, 0x67, 0x00], .h264AggregationMalformed),  // trailing half size
    ])
    func malformedAggregation(bytes: [UInt8], error: CodecPayloadError) {
        #expect(throws: error) { try withPayload(bytes) { try H264Payload(parsing: $0) } }
    }

    @Test func aggregationTruncationsAreErrors() {
        let bytes = Self.aggregationSPSAndPPS
        // Every prefix cuts a size field or a unit, except the one ending after unit 1.
        for length in 0..<bytes.count where length != 7 {
            #expect(throws: CodecPayloadError.self, "prefix of \(length) bytes") {
                try withPayload(Array(bytes.prefix(length))) { try H264Payload(parsing: $0) }
            }
        }
    }

    @Test func fragmentStartMiddleEnd() throws {
        // FU indicator: F=0 NRI=3 Type=28 (0x7C); FU header: S E R Type (Figure 15).
        let start = try withPayload([0x7C, 0x85, 0xB8, 0x00]) { try H264Payload(parsing: $0) }  // S=1 Type=5
        #expect(start.kind == .fragment(start: true, end: false, header: H264NALUnitHeader(0x65)))
        #expect(start.isKeyFrame)
        #expect(start.payloadOffset == 2)

        let middle = try withPayload([0x7C, 0x05, 0x11]) { try H264Payload(parsing: $0) }  // S=0 E=0
        #expect(middle.kind == .fragment(start: false, end: false, header: H264NALUnitHeader(0x65)))
        #expect(!middle.isKeyFrame)

        let end = try withPayload([0x7C, 0x45, 0x22]) { try H264Payload(parsing: $0) }  // E=1
        #expect(end.kind == .fragment(start: false, end: true, header: H264NALUnitHeader(0x65)))
        #expect(!end.isKeyFrame)

        // NRI comes from the indicator: NRI=2 with a non-IDR slice rebuilds header 0x41.
        let delta = try withPayload([0x5C, 0x81, 0x9A]) { try H264Payload(parsing: $0) }
        #expect(delta.kind == .fragment(start: true, end: false, header: H264NALUnitHeader(0x41)))
        #expect(!delta.isKeyFrame)
    }

    @Test(arguments: [
        ([UInt8](), CodecPayloadError.h264PayloadMissing),
        ([0x7C], .h264FragmentTruncated),  // FU indicator without FU header
        ([0x7C, 0xC5, 0x00], .h264FragmentStartAndEnd),  // S=1 and E=1 (§5.8)
        ([0x7C, 0x80, 0x00], .h264FragmentedTypeInvalid(0)),  // fragments of type 0
        ([0x7C, 0x9C, 0x00], .h264FragmentedTypeInvalid(28)),  // an FU-A inside an FU-A
        ([0x79, 0x00], .h264PacketTypeNotAllowedInMode1(25)),  // STAP-B
        ([0x7A, 0x00], .h264PacketTypeNotAllowedInMode1(26)),  // MTAP16
        ([0x7B, 0x00], .h264PacketTypeNotAllowedInMode1(27)),  // MTAP24
        ([0x7D, 0x85, 0x00], .h264PacketTypeNotAllowedInMode1(29)),  // FU-B
        ([0x60, 0x00], .h264PacketTypeUndefined(0)),
        ([0x7E, 0x00], .h264PacketTypeUndefined(30)),
        ([0x7F, 0x00], .h264PacketTypeUndefined(31)),
    ])
    func rejectedPackets(bytes: [UInt8], error: CodecPayloadError) {
        #expect(throws: error) { try withPayload(bytes) { try H264Payload(parsing: $0) } }
    }

    @Test func unitTypeNames() {
        #expect(H264NALUnitType(rawValue: 7) == .sequenceParameterSet)
        #expect(H264NALUnitType(rawValue: 12) == .other(12))
        #expect(H264NALUnitType(rawValue: 30) == .undefined(30))
        #expect(H264NALUnitHeader(0xE5).forbiddenBit)
    }
}
