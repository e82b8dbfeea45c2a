import MeshWire
import Testing

@testable import MeshRTC

/// Where a viewer may start in an H.264 stream (RFC 6184). ``KeyframeDetector`` marks both the
/// packet with the SPS and the one that starts the IDR slice; libwebrtc sends the SPS and PPS
/// in a STAP-A (§5.7.1) and the IDR in FU-As (§5.8) after it, all with one RTP timestamp (one
/// access unit, §5.1). A viewer started on the IDR's first fragment has no parameter sets for
/// it (or the previous layer's, which have the same ids and another picture size).
@Suite("SFU viewer track forwarder, H.264 access units (RFC 6184 §5.1, §5.7.1, §5.8)")
struct SFUViewerTrackForwarderH264Tests {
    static let ms: UInt64 = 1_000_000

    /// Stores `payload` as packet `sequence` of `layer`, marked as the publisher's worker marks it.
    static func publish(
        _ histories: [PacketHistory], layer: Int, sequence: UInt16, timestamp: UInt32, payload: [UInt8],
        marker: Bool = false
    ) {
        let packet = SFUTestPacket.rtp(
            sequence: sequence, timestamp: timestamp, ssrc: 0xA0 + UInt32(layer), payloadType: 102, marker: marker,
            payload: payload)
        packet.withRaw { raw in
            let key = KeyframeDetector.isKeyframeStart(.h264, payload: UnsafeRawBufferPointer(rebasing: raw[12...]))
            _ = histories[layer].store(raw, sequence: sequence, arrival: 0, isKeyframeStart: key)
        }
    }

    /// Stores a whole key frame (STAP-A, then FU-As) from `sequence`; returns the sequence numbers.
    static func publishKeyframe(
        _ histories: [PacketHistory], layer: Int, from sequence: UInt16, timestamp: UInt32
    ) -> [UInt16] {
        let packets = SFUTestPacket.h264Keyframe(fragments: 2)
        for (index, payload) in packets.enumerated() {
            publish(
                histories, layer: layer, sequence: sequence &+ UInt16(index), timestamp: timestamp, payload: payload,
                marker: index == packets.count - 1)
        }
        return (0..<packets.count).map { sequence &+ UInt16($0) }
    }

    static func makeForwarder(layers: Int) -> (ViewerTrackForwarder, [PacketHistory]) {
        let histories = (0..<layers).map { _ in PacketHistory(capacity: 64) }
        let forwarder = ViewerTrackForwarder(
            stream: .init(ssrc: 0xBEEF, payloadType: 102, codec: .init(.h264), initialSequence: 100),
            histories: histories)
        return (forwarder, histories)
    }

    @Test("a viewer that joins between the parameter sets and the IDR waits for the next key frame's STAP-A")
    func joinMidAccessUnit() throws {
        let (forwarder, histories) = Self.makeForwarder(layers: 1)
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        // The viewer attached after the STAP-A (sequence 10) was handed out.
        let missed = Self.publishKeyframe(histories, layer: 0, from: 10, timestamp: 3000)
        for sequence in missed.dropFirst() {
            #expect(forwarder.forward(layer: 0, sequence: sequence, now: 0, into: out) == nil)
        }
        #expect(forwarder.takeKeyframeRequest() == 0)
        let next = Self.publishKeyframe(histories, layer: 0, from: 13, timestamp: 6000)
        let sent = next.map { forwarder.forward(layer: 0, sequence: $0, now: 10 * Self.ms, into: out) }
        #expect(sent.allSatisfy { $0 != nil })
        #expect(forwarder.forwardedCount == 3)
    }

    @Test("a switch decided between a layer's STAP-A and its IDR waits for that layer's next key frame")
    func switchMidAccessUnit() throws {
        let (forwarder, histories) = Self.makeForwarder(layers: 2)
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        // Capped at first, so that the viewer starts on layer 0 (its starting estimate would
        // otherwise take it to layer 1 at once).
        forwarder.setBitrateCap(300_000, until: .max, now: 0)
        for sequence in Self.publishKeyframe(histories, layer: 0, from: 1, timestamp: 0) {
            #expect(forwarder.forward(layer: 0, sequence: sequence, now: 0, into: out) != nil)
        }
        forwarder.setLayerBitrate(200_000, layer: 0, now: 0)
        forwarder.setLayerBitrate(1_000_000, layer: 1, now: 0)
        let upper = Self.publishKeyframe(histories, layer: 1, from: 50, timestamp: 3000)
        #expect(forwarder.forward(layer: 1, sequence: upper[0], now: 0, into: out) == nil)  // not wanted yet
        forwarder.liftBitrateCap(now: 0)
        forwarder.receivedREMB(bitrate: 3_000_000, now: 0)
        #expect(forwarder.targetLayer == 1)
        for sequence in upper.dropFirst() {
            #expect(forwarder.forward(layer: 1, sequence: sequence, now: 0, into: out) == nil)
        }
        #expect(forwarder.currentLayer == 0)
        Self.publish(histories, layer: 0, sequence: 4, timestamp: 3000, payload: SFUTestPacket.h264DeltaFrame)
        #expect(forwarder.forward(layer: 0, sequence: 4, now: 0, into: out) != nil)  // the old layer goes on
        let again = Self.publishKeyframe(histories, layer: 1, from: 53, timestamp: 6000)
        #expect(forwarder.forward(layer: 1, sequence: again[0], now: 10 * Self.ms, into: out) != nil)
        #expect(forwarder.currentLayer == 1)
    }

    @Test("an access unit delimiter before the SPS does not hide the start; the IDR after SPS and PPS is no start")
    func delimiterThenParameterSets() throws {
        let (forwarder, histories) = Self.makeForwarder(layers: 1)
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        Self.publish(
            histories, layer: 0, sequence: 1, timestamp: 0, payload: SFUTestPacket.h264DeltaFrame, marker: true)
        let units: [[UInt8]] = [
            [0x09, 0xF0],  // access unit delimiter (type 9)
            [0x67, 0x42, 0xE0, 0x1F, 0xDA],  // SPS
            [0x68, 0xCE, 0x3C, 0x80],  // PPS
            [0x65, 0x88, 0x84, 0x00],  // a whole IDR slice (type 5)
        ]
        for (index, unit) in units.enumerated() {
            Self.publish(
                histories, layer: 0, sequence: 2 + UInt16(index), timestamp: 3000, payload: unit,
                marker: index == units.count - 1)
        }
        #expect(forwarder.forward(layer: 0, sequence: 2, now: 0, into: out) == nil)  // the AUD is no key frame
        #expect(forwarder.forward(layer: 0, sequence: 3, now: 0, into: out) != nil)  // the SPS starts the viewer

        let (late, lateHistories) = Self.makeForwarder(layers: 1)
        for (index, unit) in units.enumerated() {
            Self.publish(lateHistories, layer: 0, sequence: 2 + UInt16(index), timestamp: 3000, payload: unit)
        }
        #expect(late.forward(layer: 0, sequence: 5, now: 0, into: out) == nil)  // SPS two packets back
    }
}
