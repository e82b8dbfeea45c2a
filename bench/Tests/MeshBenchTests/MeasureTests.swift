import MeshTestSupport
import MeshWire
import Testing

@testable import MeshBench

/// RTP packets built byte by byte (RFC 3550 §5.1) with a VP8 payload descriptor (RFC 7741 §4.2).
enum TestRTP {
    /// SSRC 0xABCD; `extensions` is an RFC 8285 §4.2 one-byte block, padded to whole words.
    static func packet(
        sequence: UInt16, timestamp: UInt32, marker: Bool = false, payload: [UInt8], extensions: [UInt8] = []
    ) -> [UInt8] {
        TestPacket.rtp(
            sequence: sequence, timestamp: timestamp, ssrc: 0xABCD, marker: marker, extensions: extensions,
            payload: payload)
    }

    /// A VP8 descriptor (X=0): S bit and partition 0, then `body`.
    static func vp8(start: Bool, keyframe: Bool = false, width: UInt16 = 640, height: UInt16 = 360) -> [UInt8] {
        let descriptor: UInt8 = start ? 0x10 : 0x00
        guard start else { return [descriptor, 0xEE, 0xEE] }
        // RFC 6386 §9.1: frame tag (bit 0 = 0 for a key frame, show_frame set), start code, sizes.
        let tag: [UInt8] = keyframe ? [0x10, 0x02, 0x00] : [0x11, 0x02, 0x00]
        let sizes: [UInt8] = [UInt8(width & 0xFF), UInt8(width >> 8), UInt8(height & 0xFF), UInt8(height >> 8)]
        return [descriptor] + tag + (keyframe ? [0x9D, 0x01, 0x2A] + sizes : [0xEE, 0xEE])
    }

    static func view(_ bytes: [UInt8], _ body: (RTPPacketView) throws -> Void) throws {
        try bytes.withUnsafeBytes { try body(try RTPPacketView(parsing: $0)) }
    }
}

@Suite("meshbench measurements")
struct MeasureTests {
    static let ms: UInt64 = 1_000_000

    @Test("loss before retransmission counts the gap; a retransmission brings loss after to zero (RFC 4585 §6.2.1)")
    func lossBeforeAndAfter() {
        var loss = LossTracker()
        for sequence: UInt16 in [65534, 65535, 2, 3] { loss.received(sequence: sequence, now: 0) }
        #expect(loss.expected == 6)  // across the wrap: 65534 … 3
        #expect(loss.lostBeforeRetransmission == 2)
        #expect(loss.lostAfterRetransmission == 2)
        var due: [UInt16] = []
        loss.forEachDue(now: 1 * Self.ms, rtt: 0) { due.append($0) }
        #expect(due == [0, 1])
        loss.received(sequence: 0, now: 2 * Self.ms)
        loss.received(sequence: 0, now: 3 * Self.ms)  // a second copy: a duplicate, not a recovery
        #expect(loss.recovered == 1 && loss.duplicates == 1)
        #expect(loss.lostAfterRetransmission == 1)
        #expect(loss.lostBeforeRetransmission == 2, "before-retransmission loss does not shrink")
    }

    @Test("packets given up on ask for a key frame once")
    func giveUp() {
        var loss = LossTracker()
        loss.received(sequence: 10, now: 0)
        loss.received(sequence: 12, now: 0)
        let early = loss.takeGaveUp()
        loss.forEachDue(now: 2_000 * Self.ms, rtt: 0) { _ in }  // older than the 1 s limit
        let late = loss.takeGaveUp()
        let again = loss.takeGaveUp()
        #expect(!early && late && !again)
    }

    @Test("a frame completes at its marker with no hole; the first key frame gives the resolution")
    func frames() throws {
        var tracker = VideoFrameTracker()
        let first = TestRTP.packet(sequence: 100, timestamp: 3000, payload: TestRTP.vp8(start: true, keyframe: true))
        let middle = TestRTP.packet(sequence: 101, timestamp: 3000, payload: TestRTP.vp8(start: false))
        let last = TestRTP.packet(sequence: 102, timestamp: 3000, marker: true, payload: TestRTP.vp8(start: false))
        // The middle packet comes last (a retransmission): completion waits for it.
        try TestRTP.view(first) { view in _ = tracker.received(view, now: 1 * Self.ms) }
        try TestRTP.view(last) { view in _ = tracker.received(view, now: 2 * Self.ms) }
        #expect(tracker.framesCompleted == 0)
        #expect(tracker.firstKeyframeAt == nil)
        try TestRTP.view(middle) { view in _ = tracker.received(view, now: 3 * Self.ms) }
        #expect(tracker.firstKeyframeAt == 3 * Self.ms)
        #expect(tracker.width == 640 && tracker.height == 360)
        #expect(tracker.framesCompleted == 1)
    }

    @Test("a gap between frames beyond max(3 × mean, mean + 150 ms) is a freeze (webrtc-stats freezeCount)")
    func freezes() throws {
        var tracker = VideoFrameTracker()
        var sequence: UInt16 = 0
        func frame(at milliseconds: UInt64, key: Bool = false) throws {
            let packet = TestRTP.packet(
                sequence: sequence, timestamp: UInt32(milliseconds * 90), marker: true,
                payload: TestRTP.vp8(start: true, keyframe: key))
            sequence &+= 1
            try TestRTP.view(packet) { _ = tracker.received($0, now: milliseconds * Self.ms) }
        }
        try frame(at: 0, key: true)
        for index in 1...30 { try frame(at: UInt64(index) * 33) }
        #expect(tracker.freezeCount == 0)
        try frame(at: 30 * 33 + 400)  // 400 ms without a frame at 30 fps
        #expect(tracker.freezeCount == 1)
        #expect(tracker.longestFreeze == 400 * Self.ms)
    }

    @Test("latency from abs-capture-time: NTP UQ32.32 of 250 ms ago reads about 250,000 µs")
    func captureLatency() throws {
        let now = BenchClock.ntpNow()
        let capture = now - (UInt64(1) << 32) / 4  // a quarter second earlier
        // One-byte element, id 7, length 8 (L = 7), then padding to a 32-bit boundary.
        let element: [UInt8] = [0x77] + withUnsafeBytes(of: capture.bigEndian, Array.init) + [0, 0, 0]
        let packet = TestRTP.packet(sequence: 1, timestamp: 0, payload: [0x10, 0], extensions: element)
        try TestRTP.view(packet) { view in
            let latency = try #require(BenchViewer.latencyMicroseconds(view, id: 7))
            #expect(latency >= 250_000 && latency < 350_000, "\(latency) µs")
            #expect(BenchViewer.latencyMicroseconds(view, id: 5) == nil)
        }
    }

    @Test("bytes are kept per resolution: the layer a viewer received")
    func layers() {
        var layers = LayerBytes()
        layers.add(100, width: 0, height: 0)  // before a key frame: unknown, not counted
        layers.add(1000, width: 320, height: 180)
        layers.add(500, width: 1280, height: 720)
        layers.add(1000, width: 320, height: 180)
        #expect(layers.byResolution == ["320x180": 2000, "1280x720": 500])
    }
}
