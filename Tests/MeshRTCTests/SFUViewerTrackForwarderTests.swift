import MeshWire
import Testing

@testable import MeshRTC

@Suite("SFU viewer track forwarder")
struct SFUViewerTrackForwarderTests {
    static let ms: UInt64 = 1_000_000
    static let layerSSRCs: [UInt32] = [0xA0, 0xA1]

    /// Stores a VP8 packet of `layer` in its history (the publisher's worker's job).
    static func publish(
        _ histories: [PacketHistory], layer: Int, sequence: UInt16, timestamp: UInt32, key: Bool = false,
        now: UInt64 = 0
    ) {
        let packet = SFUTestPacket.rtp(
            sequence: sequence, timestamp: timestamp, ssrc: layerSSRCs[layer],
            payload: SFUTestPacket.vp8(pictureID: sequence, tl0: 1, keyframe: key, body: [UInt8(layer), 0xEE]))
        packet.withRaw { _ = histories[layer].store($0, sequence: sequence, arrival: now, isKeyframeStart: key) }
    }

    static func makeForwarder(rtx: Bool) -> (ViewerTrackForwarder, [PacketHistory]) {
        let histories = [PacketHistory(capacity: 64), PacketHistory(capacity: 64)]
        let forwarder = ViewerTrackForwarder(
            stream: .init(ssrc: 0xBEEF, payloadType: 98, absSendTimeID: 2, initialSequence: 100, initialTimestamp: 0),
            histories: histories, retransmission: rtx ? .init(ssrc: 0xFEED, payloadType: 99, initialSequence: 7) : nil)
        return (forwarder, histories)
    }

    @Test("starts on a key frame, switches layer only on the target's key frame, and asks for it once")
    func layerSwitching() throws {
        let (forwarder, histories) = Self.makeForwarder(rtx: false)
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        Self.publish(histories, layer: 0, sequence: 1, timestamp: 0)
        #expect(forwarder.forward(layer: 0, sequence: 1, now: 0, into: out) == nil)  // no key frame yet
        Self.publish(histories, layer: 0, sequence: 2, timestamp: 3000, key: true)
        #expect(forwarder.forward(layer: 0, sequence: 2, now: 0, into: out) != nil)
        #expect(forwarder.currentLayer == 0)

        forwarder.setLayerBitrate(200_000, layer: 0, now: 0)
        forwarder.setLayerBitrate(1_000_000, layer: 1, now: 0)
        forwarder.receivedREMB(bitrate: 3_000_000, now: 0)
        #expect(forwarder.targetLayer == 1)
        Self.publish(histories, layer: 1, sequence: 50, timestamp: 6000)
        #expect(forwarder.forward(layer: 1, sequence: 50, now: 10 * Self.ms, into: out) == nil)  // not a key frame
        #expect(forwarder.takeKeyframeRequest() == 1)
        #expect(forwarder.takeKeyframeRequest() == nil)
        Self.publish(histories, layer: 0, sequence: 3, timestamp: 6000)
        let stillLow = try #require(forwarder.forward(layer: 0, sequence: 3, now: 20 * Self.ms, into: out))
        #expect(try RTPPacketView(parsing: UnsafeRawBufferPointer(rebasing: out[0..<stillLow])).sequenceNumber == 101)
        #expect(forwarder.takeKeyframeRequest() == nil)  // asked less than a second ago
        Self.publish(histories, layer: 1, sequence: 51, timestamp: 9000, key: true)
        let switched = try #require(forwarder.forward(layer: 1, sequence: 51, now: 40 * Self.ms, into: out))
        let view = try RTPPacketView(parsing: UnsafeRawBufferPointer(rebasing: out[0..<switched]))
        #expect(view.sequenceNumber == 102)
        #expect(view.ssrc == 0xBEEF)
        #expect(forwarder.currentLayer == 1)
        // The old layer is skipped now.
        #expect(forwarder.forward(layer: 0, sequence: 3, now: 40 * Self.ms, into: out) == nil)
        #expect(forwarder.forwardedCount == 3)
        #expect(forwarder.skippedCount == 3)
        #expect(forwarder.packetsSent == 3)
    }

    @Test("a NACKed packet comes back as RTX with the OSN of the viewer's sequence number (RFC 4588 §4)")
    func retransmitsAsRTX() throws {
        let (forwarder, histories) = Self.makeForwarder(rtx: true)
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        Self.publish(histories, layer: 0, sequence: 10, timestamp: 0, key: true)
        let length = try #require(forwarder.forward(layer: 0, sequence: 10, now: 5 * Self.ms, into: out))
        let original = Array(out[0..<length])
        let rtx = try #require(forwarder.retransmit(nackedSequence: 100, now: 5 * Self.ms, into: out))
        let view = try RTPPacketView(parsing: UnsafeRawBufferPointer(rebasing: out[0..<rtx]))
        #expect(view.ssrc == 0xFEED)
        #expect(view.payloadType == 99)
        #expect(view.sequenceNumber == 7)
        #expect(Array(view.payload.prefix(2)) == [0x00, 100])  // OSN
        let restored = try #require(RTXPacket.unwrap(out, length: rtx, originalSSRC: 0xBEEF, originalPayloadType: 98))
        #expect(Array(out[0..<restored]) == original)
        #expect(forwarder.retransmittedCount == 1)
        #expect(forwarder.retransmit(nackedSequence: 150, now: 0, into: out) == nil)  // never sent
        #expect(forwarder.droppedCount == 1)
    }

    @Test("without RTX the NACKed packet is resent as it was; gone from the history means nil")
    func retransmitsPlain() throws {
        let (forwarder, histories) = Self.makeForwarder(rtx: false)
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        Self.publish(histories, layer: 0, sequence: 10, timestamp: 0, key: true)
        let length = try #require(forwarder.forward(layer: 0, sequence: 10, now: 0, into: out))
        let original = Array(out[0..<length])
        #expect(forwarder.retransmit(nackedSequence: 100, now: 0, into: out) == length)
        #expect(Array(out[0..<length]) == original)
        for sequence in UInt16(11)..<(11 + 64) { Self.publish(histories, layer: 0, sequence: sequence, timestamp: 0) }
        #expect(forwarder.retransmit(nackedSequence: 100, now: 0, into: out) == nil)
    }

    @Test("the viewer's SR carries the publisher's NTP/RTP mapping shifted into the viewer's timestamps")
    func senderReport() throws {
        let (forwarder, histories) = Self.makeForwarder(rtx: false)
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        var clock = SenderReportClock(clockRate: 90_000)
        clock.receivedSenderReport(ntpTimestamp: 1 << 40, rtpTimestamp: 5000)
        #expect(forwarder.senderReport(clock: clock, ntpNow: 1 << 40) == nil)  // nothing forwarded yet
        Self.publish(histories, layer: 0, sequence: 10, timestamp: 5000, key: true)
        let length = try #require(forwarder.forward(layer: 0, sequence: 10, now: 0, into: out))
        let sent = try RTPPacketView(parsing: UnsafeRawBufferPointer(rebasing: out[0..<length]))
        let report = try #require(forwarder.senderReport(clock: clock, ntpNow: 1 << 40))
        // The source's 5000 at that instant is the viewer's timestamp of the same packet.
        #expect(report.rtpTimestamp == sent.timestamp)
        #expect(report.packetCount == 1)
        #expect(report.octetCount == UInt32(sent.payload.count))
    }

    /// The viewer's sequence number of the packet `forward` wrote, or `nil` when it sent nothing.
    static func sent(_ forwarder: ViewerTrackForwarder, _ sequence: UInt16, out: UnsafeMutableRawBufferPointer) throws
        -> UInt16?
    {
        guard let length = forwarder.forward(layer: 0, sequence: sequence, now: 0, into: out) else { return nil }
        return try RTPPacketView(parsing: UnsafeRawBufferPointer(rebasing: out[0..<length])).sequenceNumber
    }

    @Test("after a break in the history (a re-path) the viewer waits for a key frame, numbered on without a gap")
    func discontinuity() throws {
        let (forwarder, histories) = Self.makeForwarder(rtx: false)
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        Self.publish(histories, layer: 0, sequence: 10, timestamp: 0, key: true)
        Self.publish(histories, layer: 0, sequence: 11, timestamp: 0)
        #expect(try Self.sent(forwarder, 10, out: out) == 100)
        #expect(try Self.sent(forwarder, 11, out: out) == 101)
        // A second of packets never reached this node; the new path goes on at 300.
        histories[0].markDiscontinuity()
        Self.publish(histories, layer: 0, sequence: 300, timestamp: 90_000)
        #expect(try Self.sent(forwarder, 300, out: out) == nil, "no decoding past the gap: hold until a key frame")
        #expect(forwarder.takeKeyframeRequest() == 0)
        Self.publish(histories, layer: 0, sequence: 301, timestamp: 93_000, key: true)
        Self.publish(histories, layer: 0, sequence: 302, timestamp: 93_000)
        #expect(try Self.sent(forwarder, 301, out: out) == 102, "no hole for the viewer to NACK forever")
        #expect(try Self.sent(forwarder, 302, out: out) == 103)
    }

    @Test("a publisher reconnect that keeps the mesh SSRC still restarts the numbering at its key frame")
    func reconnectKeepingSSRC() throws {
        let (forwarder, histories) = Self.makeForwarder(rtx: false)
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        Self.publish(histories, layer: 0, sequence: 40_000, timestamp: 0, key: true)
        #expect(try Self.sent(forwarder, 40_000, out: out) == 100)
        // The new session numbers from 7, behind 40000: without a restart every packet would look late.
        let fresh = [PacketHistory(capacity: 64), PacketHistory(capacity: 64)]
        forwarder.switchSource(to: fresh)
        Self.publish(fresh, layer: 0, sequence: 7, timestamp: 500, key: true)
        Self.publish(fresh, layer: 0, sequence: 8, timestamp: 500)
        #expect(try Self.sent(forwarder, 7, out: out) == 101)
        #expect(try Self.sent(forwarder, 8, out: out) == 102)
    }

    @Test("packets skipped while the key frame was still missing are served when the viewer NACKs them")
    func lateKeyframe() throws {
        let (forwarder, histories) = Self.makeForwarder(rtx: false)
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        // 20 (the key frame's first packet) was lost upstream; 21 and 22 came first and were skipped.
        Self.publish(histories, layer: 0, sequence: 21, timestamp: 0)
        Self.publish(histories, layer: 0, sequence: 22, timestamp: 0)
        #expect(try Self.sent(forwarder, 21, out: out) == nil)
        #expect(try Self.sent(forwarder, 22, out: out) == nil)
        Self.publish(histories, layer: 0, sequence: 20, timestamp: 0, key: true)
        #expect(try Self.sent(forwarder, 20, out: out) == 100)
        Self.publish(histories, layer: 0, sequence: 23, timestamp: 3000)
        #expect(try Self.sent(forwarder, 23, out: out) == 103)
        // The viewer sees 101 and 102 missing and NACKs them: they map through the same offset.
        for (nacked, source) in [(UInt16(101), UInt16(21)), (102, 22)] {
            let length = try #require(forwarder.retransmit(nackedSequence: nacked, now: 0, into: out))
            let view = try RTPPacketView(parsing: UnsafeRawBufferPointer(rebasing: out[0..<length]))
            #expect(view.sequenceNumber == nacked)
            #expect(Array(view.payload.suffix(2)) == [0, 0xEE], "source \(source)'s payload")
        }
        #expect(forwarder.retransmit(nackedSequence: 104, now: 0, into: out) == nil, "not sent, and past the newest")
    }
}
