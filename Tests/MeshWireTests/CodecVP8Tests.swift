import MeshWire
import Testing

/// VP8 payload descriptor and payload header, RFC 7741 §4.2 (Figure 1) and §4.3 (Figure 3).
@Suite struct CodecVP8Tests {
    /// A key frame start with no extensions: the smallest descriptor.
    static let keyFrameMinimal: [UInt8] = [
        0x10,  // X=0 R=0 N=0 S=1 R=0 PID=0 (RFC 7741 §4.2)
        // Payload header (§4.3): Size0=4 H=1 VER=0 P=0 -> 0b100_1_000_0
        0x90,
        0x46,  // Size1 = 0x46
        0x02,  // Size2 = 2 -> first partition size 4 + 8*0x46 + 2048*2 = 4660
        0x9D, 0x01, 0x2A,  // key frame start code (RFC 6386 §9.1)
        0x80, 0x02,  // width 640, little-endian, scale 0
        0xE0, 0x01,  // height 480
    ]

    /// A delta frame start with every extension and a 15-bit PictureID.
    static let deltaFrameAllExtensions: [UInt8] = [
        0x90,  // X=1 R=0 N=0 S=1 R=0 PID=0
        0xF0,  // I=1 L=1 T=1 K=1 RSV=0
        0x92, 0x34,  // M=1 PictureID=0x1234
        0x05,  // TL0PICIDX=5
        0xA3,  // TID=2 Y=1 KEYIDX=3 -> 0b10_1_00011
        0x31, 0x00, 0x00,  // payload header: Size0=1 H=1 VER=0 P=1 (inter frame)
    ]

    /// A continuation packet with a 7-bit PictureID: S=0, no payload header.
    static let continuationShortPictureID: [UInt8] = [
        0xA0,  // X=1 R=0 N=1 S=0 R=0 PID=0
        0x80,  // I=1 L=0 T=0 K=0
        0x7F,  // M=0 PictureID=127
        0xAA, 0xBB,  // VP8 partition data
    ]

    @Test func minimalKeyFrame() throws {
        let descriptor = try withPayload(Self.keyFrameMinimal) { try VP8PayloadDescriptor(parsing: $0) }
        #expect(descriptor.isStartOfPartition)
        #expect(descriptor.partitionIndex == 0)
        #expect(descriptor.isStartOfFrame)
        #expect(!descriptor.isNonReference)
        #expect(descriptor.pictureID == nil)
        #expect(descriptor.tl0PictureIndex == nil)
        #expect(descriptor.temporalLayerID == nil)
        #expect(descriptor.keyIndex == nil)
        #expect(descriptor.payloadOffset == 1)
        let header = try #require(descriptor.payloadHeader)
        #expect(header.isKeyFrame)
        #expect(header.showFrame)
        #expect(header.version == 0)
        #expect(header.firstPartitionSize == 4660)
        #expect(header.keyFrameWidth == 640)
        #expect(header.keyFrameHeight == 480)
        #expect(descriptor.isKeyFrame)
    }

    @Test func deltaFrameWithAllExtensions() throws {
        let descriptor = try withPayload(Self.deltaFrameAllExtensions) { try VP8PayloadDescriptor(parsing: $0) }
        #expect(descriptor.pictureID == 0x1234)
        #expect(descriptor.hasLongPictureID)
        #expect(descriptor.tl0PictureIndex == 5)
        #expect(descriptor.temporalLayerID == 2)
        #expect(descriptor.isLayerSync)
        #expect(descriptor.keyIndex == 3)
        #expect(descriptor.payloadOffset == 6)
        let header = try #require(descriptor.payloadHeader)
        #expect(!header.isKeyFrame)
        #expect(header.firstPartitionSize == 1)
        #expect(header.keyFrameWidth == nil)
        #expect(!descriptor.isKeyFrame)
    }

    @Test func continuationWithShortPictureID() throws {
        let descriptor = try withPayload(Self.continuationShortPictureID) { try VP8PayloadDescriptor(parsing: $0) }
        #expect(descriptor.isNonReference)
        #expect(!descriptor.isStartOfPartition)
        #expect(descriptor.pictureID == 127)
        #expect(!descriptor.hasLongPictureID)
        #expect(descriptor.payloadOffset == 3)
        #expect(descriptor.payloadHeader == nil)
        #expect(!descriptor.isKeyFrame)
    }

    /// Only the start of partition 0 carries the payload header (RFC 7741 §4.3): a P=0 looking
    /// byte at the start of partition 1 is partition data, not a key frame flag.
    @Test func startOfLaterPartitionIsNotKeyFrame() throws {
        let bytes: [UInt8] = [
            0x11,  // X=0 N=0 S=1 PID=1
            0x90, 0x46, 0x02,  // partition 1 data that happens to look like a key frame header
        ]
        let descriptor = try withPayload(bytes) { try VP8PayloadDescriptor(parsing: $0) }
        #expect(descriptor.partitionIndex == 1)
        #expect(descriptor.payloadHeader == nil)
        #expect(!descriptor.isKeyFrame)
    }

    @Test func everyTruncationIsAnError() {
        let bytes = Self.deltaFrameAllExtensions
        for length in 0..<bytes.count {
            let expected: CodecPayloadError =
                switch length {
                case 0..<6: .vp8DescriptorTruncated
                case 6: .vp8PayloadMissing
                default: .vp8PayloadHeaderTruncated
                }
            #expect(throws: expected, "prefix of \(length) bytes") {
                try withPayload(Array(bytes.prefix(length))) { try VP8PayloadDescriptor(parsing: $0) }
            }
        }
        #expect(throws: CodecPayloadError.vp8PayloadMissing) {
            try withPayload(Array(Self.continuationShortPictureID.prefix(3))) { try VP8PayloadDescriptor(parsing: $0) }
        }
    }

    /// An SFU renumbers pictures in place; the field keeps its width and the M bit.
    @Test func rewriteLongPictureIDAndTL0PictureIndex() throws {
        var bytes = Self.deltaFrameAllExtensions
        try bytes.withUnsafeMutableBytes { buffer in
            let descriptor = try VP8PayloadDescriptor(parsing: UnsafeRawBufferPointer(buffer))
            try descriptor.rewritePictureID(0x8001, in: buffer)  // wraps to 15 bits: 0x0001
            try descriptor.rewriteTL0PictureIndex(0xFE, in: buffer)
        }
        #expect(bytes[2] == 0x80)  // M=1 kept, high bits 0
        #expect(bytes[3] == 0x01)
        #expect(bytes[4] == 0xFE)
        #expect(bytes[5] == 0xA3)  // T/K byte untouched
        let reparsed = try withPayload(bytes) { try VP8PayloadDescriptor(parsing: $0) }
        #expect(reparsed.pictureID == 1)
        #expect(reparsed.hasLongPictureID)
        #expect(reparsed.tl0PictureIndex == 0xFE)
    }

    @Test func rewriteShortPictureIDWrapsAtSevenBits() throws {
        var bytes = Self.continuationShortPictureID
        try bytes.withUnsafeMutableBytes { buffer in
            let descriptor = try VP8PayloadDescriptor(parsing: UnsafeRawBufferPointer(buffer))
            try descriptor.rewritePictureID(200, in: buffer)
            #expect(throws: VP8PayloadDescriptor.RewriteError.fieldAbsent) {
                try descriptor.rewriteTL0PictureIndex(1, in: buffer)
            }
        }
        let reparsed = try withPayload(bytes) { try VP8PayloadDescriptor(parsing: $0) }
        #expect(reparsed.pictureID == 72)  // 200 = 0b1100_1000, low 7 bits 0b100_1000
        #expect(!reparsed.hasLongPictureID)
        #expect(bytes[3...] == [0xAA, 0xBB])
    }

    @Test func rewriteIntoAForeignShortBufferFails() throws {
        let descriptor = try withPayload(Self.deltaFrameAllExtensions) { try VP8PayloadDescriptor(parsing: $0) }
        var tiny: [UInt8] = [0, 0, 0]
        _ = tiny.withUnsafeMutableBytes { buffer in
            #expect(throws: VP8PayloadDescriptor.RewriteError.bufferMismatch) {
                try descriptor.rewritePictureID(1, in: buffer)
            }
        }
    }
}
