/// The codec-independent half of every depacketizer: sequence tracking, the frame buffer, the
/// "drop a frame that lost a packet and wait for a key frame" rule, and gap accounting.
///
/// Packets must come in sequence order (the recorder's ingest reorders and NACKs first); a
/// packet older than the last one is ignored as a late duplicate, a jump forward is loss.
/// The buffer keeps its capacity, so after warm-up assembling allocates nothing.
struct FrameAssembler {
    private(set) var buffer: [UInt8] = []
    private var expectedSequence: UInt16?
    private(set) var inFrame = false
    private var broken = false
    private(set) var timestamp: UInt32 = 0
    private(set) var isKeyFrame = false
    /// Video waits for a key frame at the start and after each loss; audio never waits.
    private(set) var waitingForKeyFrame: Bool
    private let needsKeyFrames: Bool
    private var gap: (reason: RecordingGap.Reason, start: UInt32, lost: Int, dropped: Int)?

    init(needsKeyFrames: Bool, capacity: Int) {
        self.needsKeyFrames = needsKeyFrames
        waitingForKeyFrame = needsKeyFrames
        buffer.reserveCapacity(capacity)
    }

    /// Checks the sequence number; returns false when the packet is a late duplicate to
    /// ignore. A jump marks the frame in progress broken and opens a gap.
    mutating func accept(sequence: UInt16, timestamp packetTimestamp: UInt32) -> Bool {
        if let expected = expectedSequence, sequence != expected {
            let jump = sequence &- expected
            guard jump < 0x8000 else { return false }
            lose(packets: Int(jump), at: inFrame ? timestamp : packetTimestamp, reason: .packetLoss)
        }
        expectedSequence = sequence &+ 1
        return true
    }

    /// Marks the frame in progress (if any) broken and opens or extends a gap.
    mutating func lose(packets: Int, at lostTimestamp: UInt32, reason: RecordingGap.Reason) {
        if inFrame { broken = true }
        if needsKeyFrames { waitingForKeyFrame = true }
        if var open = gap {
            open.lost += packets
            gap = open
        } else {
            gap = (reason, lostTimestamp, packets, 0)
        }
    }

    /// Starts a frame at `frameTimestamp`; a frame still open without its end is dropped.
    mutating func begin(timestamp frameTimestamp: UInt32, isKeyFrame key: Bool) {
        if inFrame { dropFrame() }
        buffer.removeAll(keepingCapacity: true)
        inFrame = true
        broken = false
        timestamp = frameTimestamp
        isKeyFrame = key
    }

    /// Notes that the frame contains a key picture (H.264 learns it mid-frame).
    mutating func markKeyFrame() { isKeyFrame = true }

    /// Marks the frame in progress broken (a packet that cannot belong to it).
    mutating func breakFrame() { if inFrame { broken = true } }

    /// Appends payload bytes to the frame in progress.
    mutating func append(_ bytes: UnsafeRawBufferPointer) { if inFrame && !broken { buffer.append(contentsOf: bytes) } }

    /// Appends bytes through a closure (for in-place length fields).
    mutating func withBuffer(_ body: (inout [UInt8]) -> Void) { if inFrame && !broken { body(&buffer) } }

    /// Ends the frame in progress: emits a gap that the frame closes, then the frame, unless
    /// the frame is broken or video is waiting for a key frame and this is not one.
    mutating func end(_ sink: (DepacketizerEvent) -> Void) {
        guard inFrame else { return }
        inFrame = false
        guard !broken, !waitingForKeyFrame || isKeyFrame else {
            dropFrame()
            return
        }
        waitingForKeyFrame = false
        if let open = gap {
            gap = nil
            sink(
                .gap(
                    RecordingGap(
                        reason: open.reason, startRTPTimestamp: open.start, endRTPTimestamp: timestamp,
                        lostPackets: open.lost, droppedFrames: open.dropped)))
        }
        buffer.withUnsafeBytes {
            sink(.frame(AssembledFrame(rtpTimestamp: timestamp, isKeyFrame: isKeyFrame, bytes: $0)))
        }
    }

    private mutating func dropFrame() {
        inFrame = false
        // Frames dropped only because the recording has not started yet are no gap.
        if var open = gap {
            open.dropped += 1
            gap = open
        }
    }
}
