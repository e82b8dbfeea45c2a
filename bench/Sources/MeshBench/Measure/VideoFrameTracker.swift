import MeshWire

/// Reassembles just enough of a received VP8 stream (RFC 7741) to know when each frame is
/// complete: its first packet (S=1, partition 0) through its marker packet with no hole in
/// between. From that it tells the first complete key frame, the resolution being received
/// (from each key frame's header, RFC 6386 §9.1, which tells the simulcast layer), and freezes: a gap between complete frames
/// longer than max(3 × the mean gap, mean + 150 ms), the definition WebRTC's stats use
/// (`freezeCount`, W3C webrtc-stats §7.1). Fixed state; allocation-free per packet.
struct VideoFrameTracker {
    /// One frame being gathered, keyed by its RTP timestamp.
    private struct Slot {
        var timestamp: UInt32 = 0
        var used = false
        var done = false
        var firstSequence: UInt16?
        var lastSequence: UInt16?
        var packets = 0
        var isKeyframe = false
        var width: UInt16 = 0
        var height: UInt16 = 0
    }

    private var slots = [Slot](repeating: Slot(), count: 16)
    private var nextSlot = 0
    /// When the first complete key frame was received (monotonic ns).
    private(set) var firstKeyframeAt: UInt64?
    /// The resolution of the latest complete key frame, 0 × 0 before one.
    private(set) var width: UInt16 = 0
    private(set) var height: UInt16 = 0
    /// Complete frames.
    private(set) var framesCompleted = 0
    private var lastFrameAt: UInt64?
    private var meanGap: Double = 0
    /// Freezes so far, their total and their longest duration (ns).
    private(set) var freezeCount = 0
    private(set) var frozenTotal: UInt64 = 0
    private(set) var longestFreeze: UInt64 = 0

    /// Records one VP8 packet; returns true when it completed a frame.
    @discardableResult
    mutating func received(_ packet: RTPPacketView, now: UInt64) -> Bool {
        guard let descriptor = try? VP8PayloadDescriptor(parsing: packet.payload) else { return false }
        let index = slot(for: packet.timestamp)
        guard !slots[index].done else { return false }
        slots[index].packets += 1
        if descriptor.isStartOfFrame {
            slots[index].firstSequence = packet.sequenceNumber
            slots[index].isKeyframe = descriptor.isKeyFrame
            slots[index].width = descriptor.payloadHeader?.keyFrameWidth ?? 0
            slots[index].height = descriptor.payloadHeader?.keyFrameHeight ?? 0
        }
        if packet.marker { slots[index].lastSequence = packet.sequenceNumber }
        guard let first = slots[index].firstSequence, let last = slots[index].lastSequence,
            slots[index].packets == Int(last &- first) + 1
        else { return false }
        slots[index].done = true
        complete(slots[index], now: now)
        return true
    }

    private mutating func complete(_ frame: Slot, now: UInt64) {
        framesCompleted += 1
        if frame.isKeyframe {
            if firstKeyframeAt == nil { firstKeyframeAt = now }
            if frame.width > 0 { (width, height) = (frame.width, frame.height) }
        }
        guard firstKeyframeAt != nil else { return }
        if let last = lastFrameAt, now > last {
            let gap = now - last
            if framesCompleted > 10, Double(gap) > max(3 * meanGap, meanGap + 150_000_000) {
                freezeCount += 1
                frozenTotal &+= gap
                longestFreeze = max(longestFreeze, gap)
            }
            meanGap = meanGap == 0 ? Double(gap) : meanGap * 0.95 + Double(gap) * 0.05
        }
        lastFrameAt = now
    }

    /// The slot of the frame with `timestamp`, recycling the oldest when it is new.
    private mutating func slot(for timestamp: UInt32) -> Int {
        for index in slots.indices where slots[index].used && slots[index].timestamp == timestamp { return index }
        let index = nextSlot
        nextSlot = (nextSlot + 1) % slots.count
        slots[index] = Slot(timestamp: timestamp, used: true)
        return index
    }
}
