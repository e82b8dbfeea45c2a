import MeshWire
import Testing

@testable import MeshRTC

@Suite("SFU outgoing stream rewriter (RFC 3550 §5.1, RFC 7741 §4.2)")
struct SFUOutgoingStreamRewriterTests {
    static let ms: UInt64 = 1_000_000
    static let viewer = OutgoingStreamRewriter.Configuration(
        ssrc: 0xBEEF, payloadType: 98, absSendTimeID: 3, midID: 4, mid: Array("v1".utf8), initialSequence: 1000,
        initialTimestamp: 50_000)

    /// Rewrites `packet` and returns the parsed output's fields and the output bytes.
    static func run(
        _ rewriter: inout OutgoingStreamRewriter, _ packet: [UInt8], layer: Int = 0, now: UInt64
    ) throws -> (sequence: UInt16, timestamp: UInt32, bytes: [UInt8])? {
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        guard let length = packet.withRaw({ rewriter.rewrite($0, layer: layer, now: now, into: out) }) else {
            return nil
        }
        let bytes = Array(out[0..<length])
        let view = try bytes.withRaw { try RTPPacketView(parsing: $0) }
        return (view.sequenceNumber, view.timestamp, bytes)
    }

    static func video(
        _ sequence: UInt16, _ timestamp: UInt32, ssrc: UInt32 = 0xA, picture: UInt16 = 100, tl0: UInt8 = 7,
        key: Bool = false
    ) -> [UInt8] {
        SFUTestPacket.rtp(
            sequence: sequence, timestamp: timestamp, ssrc: ssrc, payloadType: 96,
            payload: SFUTestPacket.vp8(pictureID: picture, tl0: tl0, keyframe: key, body: [0xAA, 0xBB]),
            extensions: [(id: 9, value: [1, 2, 3, 4])])
    }

    @Test("the viewer gets its SSRC, payload type and own extensions; the payload is unchanged")
    func freshHeader() throws {
        var rewriter = OutgoingStreamRewriter(configuration: Self.viewer)
        let source = Self.video(500, 9000, key: true)
        let result = try #require(try Self.run(&rewriter, source, now: 2_000 * Self.ms))
        try result.bytes.withRaw { raw in
            let view = try RTPPacketView(parsing: raw)
            #expect(view.ssrc == 0xBEEF)
            #expect(view.payloadType == 98)
            #expect(view.sequenceNumber == 1000)
            #expect(view.timestamp == 50_000)
            let extensions = try #require(view.headerExtension)
            #expect(extensions.element(id: 9) == nil)  // the publisher's extension is not passed on
            // abs-send-time of 2.0 s: 2 << 18 in 6.18 fixed point, 24 bits.
            #expect(Array(try #require(extensions.element(id: 3)).value) == [0x08, 0x00, 0x00])
            #expect(Array(try #require(extensions.element(id: 4)).value) == Array("v1".utf8))
            let sourcePayload = try source.withRaw { Array(try RTPPacketView(parsing: $0).payload) }
            #expect(Array(view.payload) == sourcePayload)
        }
    }

    @Test("without negotiated extensions the header is the 12-byte fixed header, padding kept")
    func minimalHeader() throws {
        var rewriter = OutgoingStreamRewriter(
            configuration: .init(ssrc: 5, payloadType: 111, clockRate: 48_000, codec: .opaque))
        let source = SFUTestPacket.rtp(
            sequence: 1, timestamp: 1, ssrc: 9, payloadType: 111, payload: [1, 2, 3], padding: 4)
        let result = try #require(try Self.run(&rewriter, source, now: 0))
        #expect(result.bytes.count == 12 + 3 + 4)
        #expect(result.bytes[0] == 0xA0)  // V=2, P=1, X=0, CC=0
        #expect(Array(result.bytes[12...]) == [1, 2, 3, 0, 0, 0, 4])
    }

    @Test("upstream loss stays a gap the viewer can NACK")
    func lossPreserved() throws {
        var rewriter = OutgoingStreamRewriter(configuration: Self.viewer)
        let sequences = try [500, 501, 503].map {
            try #require(try Self.run(&rewriter, Self.video($0, 9000), now: 0)).sequence
        }
        #expect(sequences == [1000, 1001, 1003])
        // The lost 502 arrives late (a retransmission): it fills the hole.
        #expect(try Self.run(&rewriter, Self.video(502, 9000), now: 0)?.sequence == 1002)
        #expect(rewriter.lastSequence == 1003)
    }

    @Test("a layer switch continues sequence +1, timestamp by elapsed time, picture id +1, TL0PICIDX +1")
    func layerSwitch() throws {
        var rewriter = OutgoingStreamRewriter(configuration: Self.viewer)
        _ = try Self.run(&rewriter, Self.video(500, 9000, picture: 100, tl0: 7, key: true), now: 0)
        let last = try #require(
            try Self.run(&rewriter, Self.video(501, 12_000, picture: 101, tl0: 7), now: 33 * Self.ms))
        // Layer 1: another SSRC, unrelated numbering; 33 ms later = 2970 ticks at 90 kHz.
        let switched = try #require(
            try Self.run(
                &rewriter, Self.video(7000, 777, ssrc: 0xB, picture: 30_000, tl0: 200, key: true), layer: 1,
                now: 66 * Self.ms))
        #expect(switched.sequence == last.sequence &+ 1)
        #expect(switched.timestamp == last.timestamp &+ 2970)
        let descriptor = try switched.bytes.withRaw {
            try VP8PayloadDescriptor(parsing: try RTPPacketView(parsing: $0).payload)
        }
        #expect(descriptor.pictureID == 102)
        #expect(descriptor.tl0PictureIndex == 8)
        #expect(rewriter.currentLayer == 1)
        // The next packet of layer 1 keeps its spacing in every field.
        let next = try #require(
            try Self.run(
                &rewriter, Self.video(7001, 3777, ssrc: 0xB, picture: 30_001, tl0: 200), layer: 1, now: 99 * Self.ms))
        #expect(next.sequence == switched.sequence &+ 1)
        #expect(next.timestamp == switched.timestamp &+ 3000)
    }

    @Test("a publisher reconnect (new SSRC, same layer) is one stream to the viewer")
    func reconnect() throws {
        var rewriter = OutgoingStreamRewriter(configuration: Self.viewer)
        let before = try #require(try Self.run(&rewriter, Self.video(65535, 4_294_967_000, key: true), now: 0))
        let after = try #require(try Self.run(&rewriter, Self.video(12, 5, ssrc: 0xC, key: true), now: 1000 * Self.ms))
        #expect(after.sequence == before.sequence &+ 1)
        #expect(after.timestamp == before.timestamp &+ 90_000)
        #expect(rewriter.currentSourceSSRC == 0xC)
    }

    @Test("a packet older than the current source's first would reuse numbers: dropped")
    func olderThanSwitch() throws {
        var rewriter = OutgoingStreamRewriter(configuration: Self.viewer)
        _ = try Self.run(&rewriter, Self.video(500, 9000, key: true), now: 0)
        #expect(try Self.run(&rewriter, Self.video(499, 6000), now: 0) == nil)
    }

    @Test("a long-running source keeps flowing past half the sequence space and across the wrap")
    func longRun() throws {
        var rewriter = OutgoingStreamRewriter(configuration: Self.viewer)
        var expected: UInt16 = 1000
        for index in 0..<70_000 {
            let sequence = UInt16(truncatingIfNeeded: 500 + index)
            let result = try Self.run(&rewriter, Self.video(sequence, UInt32(index) * 3000, key: index == 0), now: 0)
            guard result?.sequence == expected else {
                Issue.record("packet \(index) gave \(String(describing: result?.sequence)), expected \(expected)")
                return
            }
            expected &+= 1
        }
        // A packet 30,000 back (long past half the space since the first) is late, not new.
        let late = try Self.run(&rewriter, Self.video(UInt16(truncatingIfNeeded: 500 + 39_999), 0), now: 0)
        #expect(late?.sequence == UInt16(truncatingIfNeeded: 1000 + 39_999))
        #expect(rewriter.lastSequence == expected &- 1)
    }

    @Test("the NACK mapping names each sent packet's source and rewrites it again identically")
    func mapping() throws {
        var rewriter = OutgoingStreamRewriter(configuration: Self.viewer)
        let first = Self.video(500, 9000, key: true)
        let sent = try #require(try Self.run(&rewriter, first, now: 10 * Self.ms))
        _ = try Self.run(&rewriter, Self.video(9, 1, ssrc: 0xB, key: true), layer: 2, now: 20 * Self.ms)
        #expect(rewriter.origin(ofOutgoing: 1000) == .init(layer: 0, sourceSequence: 500))
        #expect(rewriter.origin(ofOutgoing: 1001) == .init(layer: 2, sourceSequence: 9))
        #expect(rewriter.origin(ofOutgoing: 1002) == nil)
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        // The layer switch since does not change the retransmission of 1000.
        let length = try #require(
            first.withRaw { rewriter.rewriteRetransmission($0, outgoingSequence: 1000, now: 10 * Self.ms, into: out) })
        #expect(Array(out[0..<length]) == sent.bytes)
        #expect(
            Self.video(501, 9000).withRaw {
                rewriter.rewriteRetransmission($0, outgoingSequence: 1000, now: 0, into: out)
            } == nil)
    }

    @Test("the mapping keeps each packet's own translation across switches, forgetting the oldest")
    func mappingAcrossManySwitches() throws {
        var rewriter = OutgoingStreamRewriter(configuration: Self.viewer)
        let switches = OutgoingStreamRewriter.translationMemory + 4
        var sent: [(packet: [UInt8], bytes: [UInt8])] = []
        // Each source sends two packets, then the feed moves to another layer and SSRC.
        for index in 0..<switches {
            let ssrc = UInt32(0x100 + index)
            let start = UInt16(100 * index)
            for offset in 0..<2 {
                let packet = Self.video(
                    start + UInt16(offset), UInt32(3000 * index), ssrc: ssrc, picture: UInt16(index), key: offset == 0)
                let result = try #require(
                    try Self.run(&rewriter, packet, layer: index % 3, now: UInt64(index * 40 + offset) * Self.ms))
                sent.append((packet, result.bytes))
            }
        }
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        for (number, entry) in sent.enumerated() {
            let outgoing = UInt16(1000 + number)
            let source = number / 2
            if source < switches - OutgoingStreamRewriter.translationMemory {
                #expect(rewriter.origin(ofOutgoing: outgoing) == nil)
                continue
            }
            #expect(
                rewriter.origin(ofOutgoing: outgoing)
                    == .init(layer: source % 3, sourceSequence: UInt16(100 * source + number % 2)))
            let length = try #require(
                entry.packet.withRaw {
                    rewriter.rewriteRetransmission($0, outgoingSequence: outgoing, now: 0, into: out)
                })
            // As first sent (sequence, timestamp, picture id), but for abs-send-time (bytes 16–19:
            // one-byte element after the 0xBEDE preamble), which is the resend's time.
            #expect(Array(out[0..<16]) == Array(entry.bytes[0..<16]))
            #expect(Array(out[20..<length]) == Array(entry.bytes[20..<entry.bytes.count]))
        }
    }

    @Test("non-RTP input and a too-small output give nil")
    func rejects() {
        var rewriter = OutgoingStreamRewriter(configuration: Self.viewer)
        let out = makeOutputBuffer(20)
        defer { out.deallocate() }
        #expect([0x00, 0x01].withRaw { rewriter.rewrite($0, layer: 0, now: 0, into: out) } == nil)
        #expect(Self.video(1, 1).withRaw { rewriter.rewrite($0, layer: 0, now: 0, into: out) } == nil)
    }
}

@Suite("SFU RTX (RFC 4588 §4)")
struct SFURTXPacketTests {
    @Test("wrap prepends the OSN and takes the RTX SSRC, PT and sequence; unwrap restores the original")
    func roundTrip() throws {
        let original = SFUTestPacket.rtp(
            sequence: 0x1234, timestamp: 777, ssrc: 0xAAAA, payloadType: 96, marker: true, payload: [9, 8, 7],
            extensions: [(id: 1, value: [5])])
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        let length = try #require(
            original.withRaw { RTXPacket.wrap($0, ssrc: 0xBBBB, payloadType: 97, sequence: 42, into: out) })
        #expect(length == original.count + 2)
        let view = try RTPPacketView(parsing: UnsafeRawBufferPointer(rebasing: out[0..<length]))
        #expect(view.ssrc == 0xBBBB)
        #expect(view.payloadType == 97)
        #expect(view.sequenceNumber == 42)
        #expect(view.timestamp == 777)
        #expect(view.marker)
        #expect(view.headerExtension?.element(id: 1) != nil)
        #expect(Array(view.payload) == [0x12, 0x34, 9, 8, 7])  // OSN, then the original payload
        let restored = try #require(
            RTXPacket.unwrap(out, length: length, originalSSRC: 0xAAAA, originalPayloadType: 96))
        #expect(Array(out[0..<restored]) == original)
    }

    @Test("a padding-only RTX probe (no OSN) is not a retransmission")
    func paddingOnly() {
        let probe = SFUTestPacket.rtp(sequence: 1, timestamp: 0, ssrc: 1, payloadType: 97, payload: [], padding: 8)
        var bytes = probe
        let result = bytes.withUnsafeMutableBytes {
            RTXPacket.unwrap($0, length: probe.count, originalSSRC: 2, originalPayloadType: 96)
        }
        #expect(result == nil)
    }
}
