import MeshWire
import Testing

/// Random and bit-flipped payloads: no parser may trap, and whatever a parser accepts must
/// describe offsets inside the packet (the "never crash" rule of DESIGN.md, Security).
@Suite struct CodecGarbageTests {
    /// Parses `bytes` with every codec parser and checks what each accepted.
    static func parseAll(_ bytes: [UInt8]) {
        withPayload(bytes) { payload in
            if let vp8 = try? VP8PayloadDescriptor(parsing: payload) {
                #expect(vp8.payloadOffset < payload.count)
                #expect(vp8.partitionIndex <= 7)
                if let key = vp8.payloadHeader?.keyFrameHeader { expectPicture(key.dimensions) }
            }
            if let key = try? VP8KeyFrameHeader(parsing: payload) { expectPicture(key.dimensions) }
            if let key = try? VP9KeyFrameHeader(parsing: payload) { expectPicture(key.dimensions) }
            if let sps = try? H264SequenceParameterSet(parsing: payload) {
                expectPicture(sps.dimensions)
                #expect(sps.codedWidth >= Int(sps.width) && sps.codedHeight >= Int(sps.height))
            }
            if let vp9 = try? VP9PayloadDescriptor(parsing: payload) {
                #expect(vp9.payloadOffset < payload.count)
                #expect(vp9.referenceCount <= 3)
                if let key = try? vp9.keyFrameHeader(in: payload) { expectPicture(key.dimensions) }
                if let range = vp9.scalabilityStructureRange {
                    #expect(range.upperBound <= vp9.payloadOffset)
                    let structure = vp9.scalabilityStructure(in: payload)
                    #expect(structure != nil)
                    if let structure {
                        for index in 0..<structure.pictureGroupCount {
                            guard let picture = structure.picture(at: index) else {
                                Issue.record("picture \(index) of \(structure.pictureGroupCount) missing")
                                continue
                            }
                            _ = structure.referenceDifference(of: picture, at: picture.referenceCount - 1)
                        }
                        _ = structure.resolution(ofSpatialLayer: structure.spatialLayerCount - 1)
                    }
                }
            }
            if let h264 = try? H264Payload(parsing: payload) {
                #expect(h264.payloadOffset <= payload.count)
                if case .aggregation(let count) = h264.kind {
                    var seen = 0
                    for unit in h264.aggregatedUnits(in: payload) {
                        #expect(unit.range.lowerBound > 0 && unit.range.upperBound <= payload.count)
                        seen += 1
                    }
                    #expect(seen == count)
                }
                if let sps = try? h264.sequenceParameterSet(in: payload) { expectPicture(sps.dimensions) }
            }
            if let opus = try? OpusPacket(parsing: payload) {
                #expect(opus.durationSamples <= OpusPacket.maximumSamples)
                #expect(opus.paddingLength < payload.count)
            }
        }
    }

    /// What a parser accepted as a picture size has pixels.
    static func expectPicture(_ dimensions: VideoDimensions) {
        #expect(dimensions.width > 0 && dimensions.height > 0)
    }

    @Test func randomBytesNeverTrap() {
        var generator = SplitMix64(state: 0x5EED)
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...48, using: &generator)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            Self.parseAll(bytes)
        }
    }

    /// Flipping single bits of valid packets reaches the deeper branches random bytes rarely do.
    @Test func bitFlippedPacketsNeverTrap() {
        let seeds: [[UInt8]] = [
            CodecVP8Tests.deltaFrameAllExtensions, CodecVP8Tests.keyFrameMinimal,
            CodecVP9Tests.keyFrameWithScalabilityStructure, CodecVP9Tests.flexibleDeltaThreeReferences,
            CodecH264Tests.aggregationSPSAndPPS,
            CodecVP8KeyFrameTests.scaledKeyFrame, [0x08] + CodecVP9KeyFrameHeaderTests.keyFrame(profile: 3),
            CodecH264SPSFieldTests.Fields(crop: (left: 1, right: 2, top: 3, bottom: 4)).nalUnit,
            [0x7B, 0x83, 0x01, 0x02, 0xA, 0xB, 0xB, 0xC, 0xC],  // Opus VBR code 3
        ]
        for seed in seeds {
            for bit in 0..<seed.count * 8 {
                var bytes = seed
                bytes[bit / 8] ^= 1 << (bit % 8)
                Self.parseAll(bytes)
                Self.parseAll(Array(bytes.prefix(bit / 8)))
            }
        }
    }
}
