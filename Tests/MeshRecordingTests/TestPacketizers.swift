import MeshTestSupport
/// One RTP packet as a depacketizer takes it.
struct TestRTPPacket {
    let sequence: UInt16
    let timestamp: UInt32
    let marker: Bool
    let payload: [UInt8]
    /// Arrival order key: the frame's time in ms.
    let milliseconds: Int64
}

/// Packetizers written here from the RFCs (not the project's bench packetizers), so the
/// depacketizers are checked against an independent reading of each payload format.
enum TestPacketizers {
    static let fragment = 1000

    /// RFC 7741 §4.2: a one-byte descriptor, S=1 (0x10) on a frame's first packet, PID 0;
    /// the marker on the last (§4.1).
    static func vp8(_ frames: [ClipFrame], base: UInt32, firstSequence: UInt16) -> [TestRTPPacket] {
        split(frames, base: base, clock: 90, firstSequence: firstSequence) { index, _, _ in [index == 0 ? 0x10 : 0x00] }
    }

    /// RFC 9628 §4.2: a one-byte descriptor, I=0, P (0x40) on inter frames, B (0x08) on the
    /// first packet, E (0x04) on the last.
    static func vp9(_ frames: [ClipFrame], base: UInt32, firstSequence: UInt16) -> [TestRTPPacket] {
        split(frames, base: base, clock: 90, firstSequence: firstSequence) { index, count, frame in
            [(frame.isKeyFrame ? 0 : 0x40) | (index == 0 ? 0x08 : 0) | (index == count - 1 ? 0x04 : 0)]
        }
    }

    /// RFC 7587 §4.2: one Opus packet per RTP packet, 48 kHz timestamps.
    static func opus(_ frames: [ClipFrame], base: UInt32, firstSequence: UInt16) -> [TestRTPPacket] {
        frames.enumerated().map { index, frame in
            TestRTPPacket(
                sequence: firstSequence &+ UInt16(truncatingIfNeeded: index),
                timestamp: base &+ UInt32(frame.milliseconds * 48), marker: index == 0, payload: frame.bytes,
                milliseconds: frame.milliseconds)
        }
    }

    /// RFC 6184 mode 1: SPS and PPS together in a STAP-A (§5.7.1), other NAL units whole
    /// (§5.6) up to ``fragment`` bytes, larger ones as FU-A (§5.8); the marker on an access
    /// unit's last packet.
    static func h264(_ accessUnits: [[[UInt8]]], base: UInt32, firstSequence: UInt16) -> [TestRTPPacket] {
        var packets: [TestRTPPacket] = []
        for (index, unit) in accessUnits.enumerated() {
            let milliseconds = Int64(index) * 1000 / 30
            var payloads: [[UInt8]] = []
            let parameterSets = unit.filter { [7, 8].contains($0[0] & 0x1F) }
            if !parameterSets.isEmpty {
                var stap: [UInt8] = [0x18 | (parameterSets[0][0] & 0x60)]
                for nal in parameterSets { stap += [UInt8(nal.count >> 8), UInt8(nal.count & 0xFF)] + nal }
                payloads.append(stap)
            }
            for nal in unit where ![7, 8].contains(nal[0] & 0x1F) {
                if nal.count <= fragment {
                    payloads.append(nal)
                    continue
                }
                let body = Array(nal.dropFirst())
                var offset = 0
                while offset < body.count {
                    let end = min(offset + fragment, body.count)
                    let header = (offset == 0 ? 0x80 : 0) | (end == body.count ? 0x40 : 0) | (nal[0] & 0x1F)
                    payloads.append([(nal[0] & 0xE0) | 28, header] + body[offset..<end])
                    offset = end
                }
            }
            for (number, payload) in payloads.enumerated() {
                packets.append(
                    TestRTPPacket(
                        sequence: firstSequence &+ UInt16(truncatingIfNeeded: packets.count),
                        timestamp: base &+ UInt32(milliseconds * 90), marker: number == payloads.count - 1,
                        payload: payload, milliseconds: milliseconds))
            }
        }
        return packets
    }

    private static func split(
        _ frames: [ClipFrame], base: UInt32, clock: Int64, firstSequence: UInt16,
        descriptor: (_ index: Int, _ count: Int, _ frame: ClipFrame) -> [UInt8]
    ) -> [TestRTPPacket] {
        var packets: [TestRTPPacket] = []
        for frame in frames {
            let count = max(1, (frame.bytes.count + fragment - 1) / fragment)
            for index in 0..<count {
                let chunk = frame.bytes[(index * fragment)..<min((index + 1) * fragment, frame.bytes.count)]
                packets.append(
                    TestRTPPacket(
                        sequence: firstSequence &+ UInt16(truncatingIfNeeded: packets.count),
                        timestamp: base &+ UInt32(truncatingIfNeeded: frame.milliseconds * clock),
                        marker: index == count - 1, payload: descriptor(index, count, frame) + chunk,
                        milliseconds: frame.milliseconds))
            }
        }
        return packets
    }
}
