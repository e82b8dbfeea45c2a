import MeshWire
import Testing

@testable import MeshRTC

/// RFC 9628 §4.2: the PictureID "MUST" increase by one per picture (wrapping at 7 or 15 bits)
/// and TL0PICIDX by one per base temporal layer picture. Each simulcast layer and each
/// publisher numbers its own, so a viewer switched between them needs both renumbered, as VP8's
/// are (RFC 7741 §4.2, tested in SFUOutgoingStreamRewriterTests).
@Suite("SFU outgoing stream rewriter, VP9 picture numbering (RFC 9628 §4.2)")
struct SFUOutgoingStreamRewriterVP9Tests {
    static let ms: UInt64 = 1_000_000
    static let viewer = OutgoingStreamRewriter.Configuration(
        ssrc: 0xBEEF, payloadType: 98, codec: .vp9, initialSequence: 1000, initialTimestamp: 50_000)

    static func video(
        _ sequence: UInt16, _ timestamp: UInt32, ssrc: UInt32 = 0xA, picture: UInt16, tl0: UInt8 = 0,
        key: Bool = false, flexible: Bool = false, references: [UInt8] = []
    ) -> [UInt8] {
        SFUTestPacket.rtp(
            sequence: sequence, timestamp: timestamp, ssrc: ssrc, payloadType: 98,
            payload: SFUTestPacket.vp9(
                pictureID: picture, tl0: tl0, keyframe: key, flexible: flexible, references: references,
                body: [0xAA, 0xBB]))
    }

    /// The descriptor of the packet a rewrite produced.
    static func descriptor(_ bytes: [UInt8]) throws -> VP9PayloadDescriptor {
        try bytes.withRaw { try VP9PayloadDescriptor(parsing: try RTPPacketView(parsing: $0).payload) }
    }

    @Test("the codecs the engine negotiates map to the rewriting they need: VP8 and VP9 renumbered")
    func codecMapping() {
        #expect(OutgoingStreamRewriter.Codec(.vp8) == .vp8)
        #expect(OutgoingStreamRewriter.Codec(.vp9) == .vp9)
        #expect(OutgoingStreamRewriter.Codec(.h264) == .opaque)
        #expect(OutgoingStreamRewriter.Codec(.opus) == .opaque)
    }

    @Test("a layer switch continues the VP9 picture id and TL0PICIDX at last + 1; the layer keeps its spacing")
    func layerSwitch() throws {
        var rewriter = OutgoingStreamRewriter(configuration: Self.viewer)
        _ = try SFUOutgoingStreamRewriterTests.run(
            &rewriter, Self.video(500, 9000, picture: 100, tl0: 7, key: true), now: 0)
        let last = try #require(
            try SFUOutgoingStreamRewriterTests.run(&rewriter, Self.video(501, 12_000, picture: 101, tl0: 8), now: 0))
        #expect(try Self.descriptor(last.bytes).pictureID == 101)  // one source: nothing shifted
        let switched = try #require(
            try SFUOutgoingStreamRewriterTests.run(
                &rewriter, Self.video(7000, 777, ssrc: 0xB, picture: 30_000, tl0: 200, key: true), layer: 1,
                now: 33 * Self.ms))
        #expect(try Self.descriptor(switched.bytes).pictureID == 102)
        #expect(try Self.descriptor(switched.bytes).tl0PictureIndex == 9)
        let next = try #require(
            try SFUOutgoingStreamRewriterTests.run(
                &rewriter, Self.video(7001, 3777, ssrc: 0xB, picture: 30_001, tl0: 201), layer: 1, now: 66 * Self.ms))
        #expect(try Self.descriptor(next.bytes).pictureID == 103)
        #expect(try Self.descriptor(next.bytes).tl0PictureIndex == 10)
        // A NACK answer is the packet as first sent, renumbering included.
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        let length = try #require(
            Self.video(7000, 777, ssrc: 0xB, picture: 30_000, tl0: 200, key: true).withRaw {
                rewriter.rewriteRetransmission($0, outgoingSequence: switched.sequence, now: 0, into: out)
            })
        #expect(try Self.descriptor(Array(out[0..<length])).pictureID == 102)
    }

    @Test("flexible mode: picture ids are shifted, P_DIFF references (differences) stay as sent")
    func flexibleMode() throws {
        var rewriter = OutgoingStreamRewriter(configuration: Self.viewer)
        _ = try SFUOutgoingStreamRewriterTests.run(
            &rewriter, Self.video(10, 0, picture: 5, key: true, flexible: true), now: 0)
        let switched = try #require(
            try SFUOutgoingStreamRewriterTests.run(
                &rewriter, Self.video(900, 0, ssrc: 0xB, picture: 0x7FFF, key: true, flexible: true), layer: 1,
                now: 0))
        #expect(try Self.descriptor(switched.bytes).pictureID == 6)
        #expect(try Self.descriptor(switched.bytes).tl0PictureIndex == nil)
        // The source wraps at 15 bits; the viewer's numbering goes on by one.
        let inter = try #require(
            try SFUOutgoingStreamRewriterTests.run(
                &rewriter, Self.video(901, 3000, ssrc: 0xB, picture: 0, flexible: true, references: [1]), layer: 1,
                now: 0))
        let descriptor = try Self.descriptor(inter.bytes)
        #expect(descriptor.pictureID == 7)
        #expect(descriptor.referenceCount == 1)
        #expect(descriptor.referenceDifference(at: 0) == 1)
    }

    @Test("H.264 payloads pass untouched: it has no picture numbering to keep")
    func h264Untouched() throws {
        var rewriter = OutgoingStreamRewriter(
            configuration: .init(ssrc: 0xBEEF, payloadType: 102, codec: .init(.h264)))
        let keyframe = SFUTestPacket.h264Keyframe()[0]
        let source = SFUTestPacket.rtp(sequence: 1, timestamp: 0, ssrc: 0xA, payloadType: 102, payload: keyframe)
        let result = try #require(try SFUOutgoingStreamRewriterTests.run(&rewriter, source, now: 0))
        #expect(try result.bytes.withRaw { Array(try RTPPacketView(parsing: $0).payload) } == keyframe)
    }
}
