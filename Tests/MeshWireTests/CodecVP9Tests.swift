import MeshWire
import Testing

/// VP9 payload descriptor, RFC 9628 §4.2 (Figures 2 and 3) and scalability structure §4.2.1
/// (Figure 4).
@Suite struct CodecVP9Tests {
    /// Non-flexible mode, start of a key picture on spatial layer 0, with a scalability structure.
    static let keyFrameWithScalabilityStructure: [UInt8] = [
        0xAE,  // I=1 P=0 L=1 F=0 B=1 E=1 V=1 Z=0
        0x81, 0x02,  // M=1 PICTURE ID=0x0102 (15 bits)
        0x00,  // TID=0 U=0 SID=0 D=0
        0x07,  // TL0PICIDX=7 (non-flexible mode only)
        0x38,  // SS: N_S=1 (2 spatial layers) Y=1 G=1 -> 0b001_1_1_000
        0x01, 0x40, 0x00, 0xB4,  // layer 0: WIDTH=320 HEIGHT=180
        0x02, 0x80, 0x01, 0x68,  // layer 1: WIDTH=640 HEIGHT=360
        0x02,  // N_G=2 pictures in the group
        0x04, 0x04,  // picture 0: TID=0 U=0 R=1 -> 0b000_0_01_00, P_DIFF=4
        0x34, 0x01,  // picture 1: TID=1 U=1 R=1 -> 0b001_1_01_00, P_DIFF=1
        0x82, 0x49,  // VP9 frame bytes
    ]

    /// Flexible mode, an inter-predicted frame on spatial layer 1 with three references.
    static let flexibleDeltaThreeReferences: [UInt8] = [
        0xF9,  // I=1 P=1 L=1 F=1 B=1 E=0 V=0 Z=1
        0x15,  // M=0 PICTURE ID=21 (7 bits)
        0x53,  // TID=2 U=1 SID=1 D=1 -> 0b010_1_001_1 (no TL0PICIDX in flexible mode)
        0x03,  // P_DIFF=1 N=1
        0x05,  // P_DIFF=2 N=1
        0x08,  // P_DIFF=4 N=0
        0xAB,  // VP9 frame bytes
    ]

    @Test func keyFrameWithScalabilityStructure() throws {
        let bytes = Self.keyFrameWithScalabilityStructure
        try withPayload(bytes) { payload in
            let descriptor = try VP9PayloadDescriptor(parsing: payload)
            #expect(descriptor.pictureID == 0x0102)
            #expect(descriptor.hasLongPictureID)
            #expect(!descriptor.isFlexibleMode)
            #expect(descriptor.isStartOfFrame && descriptor.isEndOfFrame)
            #expect(descriptor.hasLayerIndices)
            #expect(descriptor.spatialLayerID == 0)
            #expect(descriptor.tl0PictureIndex == 7)
            #expect(descriptor.referenceCount == 0)
            #expect(descriptor.scalabilityStructureRange == 5..<19)
            #expect(descriptor.payloadOffset == 19)
            #expect(descriptor.isKeyFrame)

            let structure = try #require(descriptor.scalabilityStructure(in: payload))
            #expect(structure.spatialLayerCount == 2)
            #expect(structure.resolution(ofSpatialLayer: 0)?.width == 320)
            #expect(structure.resolution(ofSpatialLayer: 0)?.height == 180)
            #expect(structure.resolution(ofSpatialLayer: 1)?.width == 640)
            #expect(structure.resolution(ofSpatialLayer: 1)?.height == 360)
            #expect(structure.resolution(ofSpatialLayer: 2) == nil)
            #expect(structure.pictureGroupCount == 2)
            let first = try #require(structure.picture(at: 0))
            #expect(first.temporalLayerID == 0 && !first.isSwitchingUpPoint && first.referenceCount == 1)
            #expect(structure.referenceDifference(of: first, at: 0) == 4)
            let second = try #require(structure.picture(at: 1))
            #expect(second.temporalLayerID == 1 && second.isSwitchingUpPoint)
            #expect(structure.referenceDifference(of: second, at: 0) == 1)
            #expect(structure.referenceDifference(of: second, at: 1) == nil)
            #expect(structure.picture(at: 2) == nil)
        }
    }

    @Test func flexibleModeReferences() throws {
        let descriptor = try withPayload(Self.flexibleDeltaThreeReferences) { try VP9PayloadDescriptor(parsing: $0) }
        #expect(descriptor.isFlexibleMode)
        #expect(descriptor.isInterPicturePredicted)
        #expect(descriptor.isNotReferenceForUpperSpatialLayer)
        #expect(descriptor.pictureID == 21)
        #expect(!descriptor.hasLongPictureID)
        #expect(descriptor.temporalLayerID == 2)
        #expect(descriptor.isSwitchingUpPoint)
        #expect(descriptor.spatialLayerID == 1)
        #expect(descriptor.isInterLayerDependency)
        #expect(descriptor.tl0PictureIndex == nil)
        #expect(descriptor.referenceCount == 3)
        #expect(descriptor.referenceDifference(at: 0) == 1)
        #expect(descriptor.referenceDifference(at: 1) == 2)
        #expect(descriptor.referenceDifference(at: 2) == 4)
        #expect(descriptor.referenceDifference(at: 3) == nil)
        #expect(descriptor.payloadOffset == 6)
        #expect(!descriptor.isKeyFrame)
    }

    @Test func fourthReferenceIsRejected() {
        let bytes: [UInt8] = [
            0xD8,  // I=1 P=1 L=0 F=1 B=1
            0x01,  // PICTURE ID=1
            0x03, 0x03, 0x03,  // three P_DIFFs, each with N=1 announcing one more
            0x02,  // a fourth: RFC 9628 §4.2 allows at most 3
            0xAB,
        ]
        #expect(throws: CodecPayloadError.vp9TooManyReferenceIndices) {
            try withPayload(bytes) { try VP9PayloadDescriptor(parsing: $0) }
        }
    }

    /// Key picture rule: B=1, P=0, SID=0 (SID is 0 when L is absent).
    @Test(arguments: [
        (UInt8(0x08), [UInt8](), true),  // B=1 P=0, no L: spatial layer 0
        (UInt8(0x48), [], false),  // B=1 P=1: inter-picture predicted
        (UInt8(0x00), [], false),  // B=0: not the start of the frame
        (UInt8(0x28), [0x02, 0x00], false),  // B=1 P=0 L=1, SID=1, TL0PICIDX=0
        (UInt8(0x28), [0x00, 0x00], true),  // B=1 P=0 L=1, SID=0, TL0PICIDX=0
    ])
    func keyFrameRule(first: UInt8, fields: [UInt8], expected: Bool) throws {
        let descriptor = try withPayload([first] + fields + [0x80]) { try VP9PayloadDescriptor(parsing: $0) }
        #expect(descriptor.isKeyFrame == expected)
    }

    @Test func everyTruncationIsAnError() {
        // (packet, where its descriptor ends, where its scalability structure starts or nil)
        let cases: [([UInt8], Int, Int?)] = [
            (Self.keyFrameWithScalabilityStructure, 19, 5),
            (Self.flexibleDeltaThreeReferences, 6, nil),
        ]
        for (bytes, descriptorEnd, structureStart) in cases {
            for length in 0..<descriptorEnd + 1 {
                let expected: CodecPayloadError =
                    if length == descriptorEnd {
                        .vp9PayloadMissing
                    } else if let structureStart, length >= structureStart {
                        .vp9ScalabilityStructureTruncated
                    } else {
                        .vp9DescriptorTruncated
                    }
                #expect(throws: expected, "prefix of \(length) bytes") {
                    try withPayload(Array(bytes.prefix(length))) { try VP9PayloadDescriptor(parsing: $0) }
                }
            }
        }
    }

    @Test func rewritePictureIDAndTL0PictureIndex() throws {
        var bytes = Self.keyFrameWithScalabilityStructure
        try bytes.withUnsafeMutableBytes { buffer in
            let descriptor = try VP9PayloadDescriptor(parsing: UnsafeRawBufferPointer(buffer))
            try descriptor.rewritePictureID(0x7FFF, in: buffer)
            try descriptor.rewriteTL0PictureIndex(9, in: buffer)
        }
        let reparsed = try withPayload(bytes) { try VP9PayloadDescriptor(parsing: $0) }
        #expect(reparsed.pictureID == 0x7FFF)
        #expect(reparsed.tl0PictureIndex == 9)
        #expect(bytes[5] == 0x38)  // the scalability structure is untouched

        var flexible = Self.flexibleDeltaThreeReferences
        try flexible.withUnsafeMutableBytes { buffer in
            let descriptor = try VP9PayloadDescriptor(parsing: UnsafeRawBufferPointer(buffer))
            try descriptor.rewritePictureID(130, in: buffer)  // 7 bits: 130 & 0x7F = 2
            #expect(throws: VP9PayloadDescriptor.RewriteError.fieldAbsent) {
                try descriptor.rewriteTL0PictureIndex(1, in: buffer)
            }
        }
        #expect(flexible[1] == 0x02)
    }
}
