import MeshWire
import Testing

@testable import MeshRTC

/// abs-capture-time (http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time, see
/// webrtc/src docs/native-code/rtp-hdrext/abs-capture-time) passes from the publisher's packets
/// to the viewer's, under the viewer's own ID, in RFC 8285 elements.
@Suite("SFU abs-capture-time forwarding (RFC 8285 §4.2, §4.3)")
struct SFUAbsoluteCaptureTimeTests {
    static let ms: UInt64 = 1_000_000
    /// The publisher's (source's) abs-capture-time ID.
    static let sourceID: UInt8 = 7
    /// The viewer's abs-capture-time ID.
    static let viewerID: UInt8 = 5
    /// UQ32.32 NTP capture time: 0xE7A1B2C3 seconds (2023) and 0x80000000 (half a second).
    static let captureTime: [UInt8] = [0xE7, 0xA1, 0xB2, 0xC3, 0x80, 0x00, 0x00, 0x00]
    /// The same, followed by an estimated capture clock offset of −0.25 s (Q32.32).
    static let captureTimeWithOffset = captureTime + [0xFF, 0xFF, 0xFF, 0xFF, 0xC0, 0x00, 0x00, 0x00]

    static func viewer(absSendTime: Bool = true, mid: Bool = true, captureTime: UInt8? = viewerID)
        -> OutgoingStreamRewriter.Configuration
    {
        .init(
            ssrc: 0xBEEF, payloadType: 98, codec: .opaque, absSendTimeID: absSendTime ? 3 : nil,
            midID: mid ? 4 : nil, mid: Array("v1".utf8), absCaptureTimeID: captureTime, initialSequence: 1000)
    }

    /// A source packet whose one-byte block (RFC 8285 §4.2) holds the publisher's abs-send-time
    /// (ID 2), then `capture` under ID 7 when given.
    static func source(_ sequence: UInt16, capture: [UInt8]? = captureTime, payload: [UInt8] = [0xAA, 0xBB])
        -> [UInt8]
    {
        var extensions: [(id: UInt8, value: [UInt8])] = [(id: 2, value: [0x01, 0x02, 0x03])]
        if let capture { extensions.append((id: sourceID, value: capture)) }
        return SFUTestPacket.rtp(
            sequence: sequence, timestamp: 9000, ssrc: 0xA, payloadType: 96, payload: payload, extensions: extensions)
    }

    /// Rewrites `packet`; returns the output bytes.
    static func rewrite(_ rewriter: inout OutgoingStreamRewriter, _ packet: [UInt8], now: UInt64 = 0) throws
        -> [UInt8]
    {
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        let length = try #require(packet.withRaw { rewriter.rewrite($0, layer: 0, now: now, into: out) })
        return Array(out[0..<length])
    }

    /// The value of element `id` in `packet`'s extension block, `nil` when absent.
    static func element(_ id: UInt8, in packet: [UInt8]) throws -> [UInt8]? {
        try packet.withRaw { raw in
            try RTPPacketView(parsing: raw).headerExtension?.element(id: id).map { Array($0.value) }
        }
    }

    static func headerLength(of packet: [UInt8]) throws -> Int {
        try packet.withRaw { try RTPPacketView(parsing: $0).headerLength }
    }

    @Test("the source's value is copied under the viewer's ID, beside abs-send-time and mid")
    func copiedWithOtherExtensions() throws {
        var rewriter = OutgoingStreamRewriter(configuration: Self.viewer(), sourceCaptureTimeID: Self.sourceID)
        let out = try Self.rewrite(&rewriter, Self.source(1), now: 2_000 * Self.ms)
        #expect(try Self.element(Self.viewerID, in: out) == Self.captureTime)
        #expect(try Self.element(Self.sourceID, in: out) == nil)  // the publisher's numbering stays behind
        #expect(try Self.element(3, in: out) == [0x08, 0x00, 0x00])  // our abs-send-time, 2.0 s
        #expect(try Self.element(4, in: out) == Array("v1".utf8))
        // 12 fixed + 4 preamble + (1+3) + (1+2) + (1+8) = 16 element bytes.
        #expect(try Self.headerLength(of: out) == 12 + 4 + 16)
        #expect(rewriter.headerLength == 12 + 4 + 16)
        #expect(Array(out.suffix(2)) == [0xAA, 0xBB])
    }

    @Test("alone, a 16-byte value (with the clock offset) fills the block exactly as RFC 8285 §4.2 lays it out")
    func copiedAloneWithOffset() throws {
        var rewriter = OutgoingStreamRewriter(
            configuration: Self.viewer(absSendTime: false, mid: false), sourceCaptureTimeID: Self.sourceID)
        let out = try Self.rewrite(&rewriter, Self.source(1, capture: Self.captureTimeWithOffset))
        #expect(out[0] == 0x90)  // V=2, P=0, X=1, CC=0
        let block: [UInt8] =
            [0xBE, 0xDE, 0x00, 0x05]  // one-byte profile, 5 words follow
            + [Self.viewerID << 4 | 15]  // ID 5, L=15: 16 bytes
            + Self.captureTimeWithOffset
            + [0, 0, 0]  // padding to the word
        #expect(Array(out[12..<(12 + block.count)]) == block)
        #expect(rewriter.headerLength == 12 + block.count)
        #expect(Array(out[(12 + block.count)...]) == [0xAA, 0xBB])
    }

    @Test("a source packet in the two-byte form (RFC 8285 §4.3) is read as well")
    func twoByteSource() throws {
        let data: [UInt8] = [Self.sourceID, 8] + Self.captureTime + [0, 0]  // ID, length, value, padding
        let header = RTPHeader(
            payloadType: 96, sequenceNumber: 1, timestamp: 9000, ssrc: 0xA, extensionProfile: 0x1000,
            extensionData: data)
        var packet = [UInt8](repeating: 0, count: 100)
        let length = packet.withUnsafeMutableBytes { buffer in
            var writer = ByteWriter(buffer)
            [UInt8(0xAA)].withUnsafeBytes { try? header.marshalPacket(payload: $0, paddingLength: 0, into: &writer) }
            return writer.offset
        }
        packet = Array(packet[0..<length])
        var rewriter = OutgoingStreamRewriter(configuration: Self.viewer(), sourceCaptureTimeID: Self.sourceID)
        #expect(try Self.element(Self.viewerID, in: Self.rewrite(&rewriter, packet)) == Self.captureTime)
    }

    /// One way for the value not to reach the viewer.
    struct Absence: Sendable, CustomTestStringConvertible {
        var viewer: UInt8?
        var source: UInt8?
        var capture: [UInt8]?
        var testDescription: String {
            "viewer ID \(viewer.map(String.init) ?? "none"), source ID \(source.map(String.init) ?? "none"), "
                + "value of \(capture?.count ?? 0) bytes"
        }
    }

    @Test(
        "nothing is passed on when the viewer did not negotiate it, the source has no ID, the packet lacks it, or its length is not 8 or 16",
        arguments: [
            Absence(viewer: nil, source: sourceID, capture: captureTime),
            Absence(viewer: viewerID, source: nil, capture: captureTime),
            Absence(viewer: viewerID, source: sourceID, capture: nil),
            Absence(viewer: viewerID, source: sourceID, capture: [1, 2, 3, 4]),
            Absence(viewer: 15, source: sourceID, capture: captureTime),  // not a one-byte ID (RFC 8285 §4.2)
        ])
    func notPassed(_ absence: Absence) throws {
        var rewriter = OutgoingStreamRewriter(
            configuration: Self.viewer(captureTime: absence.viewer), sourceCaptureTimeID: absence.source)
        let out = try Self.rewrite(&rewriter, Self.source(1, capture: absence.capture))
        // Only abs-send-time (1+3) and mid (1+2), padded to two words.
        #expect(try Self.headerLength(of: out) == 12 + 4 + 8)
        #expect(rewriter.headerLength == 12 + 4 + 8)
        for id in [Self.viewerID, Self.sourceID, 15] { #expect(try Self.element(id, in: out) == nil) }
    }

    @Test("a retransmission carries the value, under the ID of the source it was first sent from")
    func retransmission() throws {
        var rewriter = OutgoingStreamRewriter(configuration: Self.viewer(), sourceCaptureTimeID: Self.sourceID)
        let first = Self.source(1)
        let sent = try Self.rewrite(&rewriter, first)
        // The publisher reconnects with another ID: the old packet keeps its own.
        rewriter.sourceCaptureTimeID = 11
        rewriter.beginNewSource()
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        let length = try #require(
            first.withRaw { rewriter.rewriteRetransmission($0, outgoingSequence: 1000, now: 0, into: out) })
        let again = Array(out[0..<length])
        #expect(try Self.element(Self.viewerID, in: again) == Self.captureTime)
        #expect(again == sent)  // the same packet: same numbering, elements (same `now`) and payload
    }

    @Test("the SR octet count is payload octets whatever the header length of each packet (RFC 3550 §6.4.1)")
    func senderReportOctets() throws {
        let history = PacketHistory(capacity: 64)
        let forwarder = ViewerTrackForwarder(
            stream: Self.viewer(), histories: [history], sourceCaptureTimeID: Self.sourceID)
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        var payloadOctets = 0
        var headerLengths: Set<Int> = []
        for sequence: UInt16 in 1...6 {
            let packet = Self.source(
                sequence, capture: sequence % 2 == 0 ? nil : Self.captureTime,
                payload: [UInt8](repeating: 0xCC, count: Int(sequence) * 10))
            packet.withRaw { _ = history.store($0, sequence: sequence, arrival: 0, isKeyframeStart: sequence == 1) }
            let length = try #require(forwarder.forward(layer: 0, sequence: sequence, now: 0, into: out))
            let view = try RTPPacketView(parsing: UnsafeRawBufferPointer(rebasing: out[0..<length]))
            headerLengths.insert(view.headerLength)
            payloadOctets += view.payload.count
        }
        #expect(headerLengths.count == 2)  // with and without the element
        #expect(forwarder.packetsSent == 6)
        #expect(Int(forwarder.octetsSent) == payloadOctets)
    }

    @Test("a forwarder switched to another publisher reads the new publisher's ID")
    func switchedSource() throws {
        let old = PacketHistory(capacity: 64)
        let new = PacketHistory(capacity: 64)
        let forwarder = ViewerTrackForwarder(
            stream: Self.viewer(), histories: [old], sourceCaptureTimeID: Self.sourceID)
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        Self.source(1).withRaw { _ = old.store($0, sequence: 1, arrival: 0, isKeyframeStart: true) }
        #expect(forwarder.forward(layer: 0, sequence: 1, now: 0, into: out) != nil)
        forwarder.switchSource(to: [new], sourceCaptureTimeID: 12)
        // The new publisher numbers abs-capture-time 12; its ID 7 is something else.
        let packet = SFUTestPacket.rtp(
            sequence: 500, timestamp: 1, ssrc: 0xB, payload: [0xAA],
            extensions: [(id: 12, value: Self.captureTimeWithOffset), (id: Self.sourceID, value: [9, 9, 9, 9])])
        packet.withRaw { _ = new.store($0, sequence: 500, arrival: 0, isKeyframeStart: true) }
        let length = try #require(forwarder.forward(layer: 0, sequence: 500, now: 0, into: out))
        #expect(try Self.element(Self.viewerID, in: Array(out[0..<length])) == Self.captureTimeWithOffset)
    }
}
