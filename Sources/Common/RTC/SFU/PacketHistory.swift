import Synchronization

/// The packets of one received layer, kept for retransmission and read by viewers' workers.
///
/// One writer (the publisher's worker) stores each decrypted RTP packet into a fixed ring of
/// slots indexed by sequence number; any number of readers on other threads copy packets out.
/// All memory is allocated once in `init`; storing and loading allocate nothing and take no
/// lock. Each slot is a seqlock: the writer makes its stamp odd, writes, then makes it even
/// again; a reader copies, then re-reads the stamp and discards the copy if it changed, so a
/// reader never returns a packet the writer overwrote mid-copy.
public final class PacketHistory: @unchecked Sendable {
    /// Slot metadata; written only inside a slot's odd stamp window.
    private struct SlotHeader {
        var length: Int
        var extendedSequence: Int64
        var arrival: UInt64
        var isKeyframeStart: Bool
        var marker: Bool
    }

    /// How many packets the ring keeps (a power of two).
    public let capacity: Int
    /// The largest packet a slot holds.
    public let slotSize: Int

    private let mask: Int
    private let payloads: UnsafeMutableRawPointer
    private let headers: UnsafeMutablePointer<SlotHeader>
    private let stamps: UnsafeMutablePointer<Atomic<UInt64>>
    /// Writer-only state: the publisher's worker owns it.
    private var unwrapper = SequenceUnwrapper()
    private let discontinuities = Atomic<UInt32>(0)

    /// A ring of `capacity` slots (rounded up to a power of two, at most 65536) of `slotSize` bytes each.
    public init(capacity: Int = 1024, slotSize: Int = 1500) {
        var rounded = 1
        // At most 2^16 slots, so that a 16-bit sequence number alone names a slot.
        while rounded < min(max(capacity, 1), 1 << 16) { rounded <<= 1 }
        self.capacity = rounded
        self.slotSize = max(slotSize, 12)
        mask = rounded - 1
        payloads = .allocate(byteCount: rounded * self.slotSize, alignment: 16)
        headers = .allocate(capacity: rounded)
        headers.initialize(
            repeating: SlotHeader(length: 0, extendedSequence: -1, arrival: 0, isKeyframeStart: false, marker: false),
            count: rounded)
        stamps = .allocate(capacity: rounded)
        for index in 0..<rounded { (stamps + index).initialize(to: Atomic(0)) }
    }

    deinit {
        stamps.deinitialize(count: capacity)
        stamps.deallocate()
        headers.deinitialize(count: capacity)
        headers.deallocate()
        payloads.deallocate()
    }

    /// Stores `packet` under `sequence`; returns `false` (storing nothing) when it does not fit
    /// a slot or is too short to be RTP. Called by the one writer only.
    @discardableResult
    public func store(
        _ packet: UnsafeRawBufferPointer, sequence: UInt16, arrival: UInt64, isKeyframeStart: Bool
    ) -> Bool {
        guard packet.count >= 12, packet.count <= slotSize, let source = packet.baseAddress else { return false }
        let extended = unwrapper.unwrap(sequence)
        let slot = Int(truncatingIfNeeded: extended) & mask
        let stamp = stamps[slot].load(ordering: .relaxed)
        stamps[slot].store(stamp &+ 1, ordering: .relaxed)
        // Readers that see the new bytes must also see the odd stamp.
        atomicMemoryFence(ordering: .releasing)
        (payloads + slot * slotSize).copyMemory(from: source, byteCount: packet.count)
        headers[slot] = SlotHeader(
            length: packet.count, extendedSequence: extended, arrival: arrival, isKeyframeStart: isKeyframeStart,
            marker: packet[1] & 0x80 != 0)
        stamps[slot].store(stamp &+ 2, ordering: .releasing)
        return true
    }

    /// Copies the packet stored under `sequence` into `buffer`; `nil` when it was never stored,
    /// was overwritten (before or during the copy), or does not fit `buffer`. Any thread.
    public func load(sequence: UInt16, into buffer: UnsafeMutableRawBufferPointer) -> StoredPacket? {
        guard let destination = buffer.baseAddress else { return nil }
        let slot = Int(sequence) & mask
        let before = stamps[slot].load(ordering: .acquiring)
        guard before & 1 == 0 else { return nil }
        let header = headers[slot]
        guard UInt16(truncatingIfNeeded: header.extendedSequence) == sequence, header.extendedSequence >= 0,
            header.length <= buffer.count, header.length <= slotSize
        else { return nil }
        destination.copyMemory(from: payloads + slot * slotSize, byteCount: header.length)
        // The copy must be complete before the stamp is checked again.
        atomicMemoryFence(ordering: .acquiring)
        guard stamps[slot].load(ordering: .relaxed) == before else { return nil }
        return StoredPacket(
            length: header.length, extendedSequence: header.extendedSequence, arrival: header.arrival,
            isKeyframeStart: header.isKeyframeStart, marker: header.marker)
    }

    /// Whether the packet stored under `sequence` starts a key frame, without copying it; nil
    /// when it is not there (never stored, overwritten, or being written). Any thread.
    public func isKeyframeStart(sequence: UInt16) -> Bool? {
        let slot = Int(sequence) & mask
        let before = stamps[slot].load(ordering: .acquiring)
        guard before & 1 == 0 else { return nil }
        let header = headers[slot]
        atomicMemoryFence(ordering: .acquiring)
        guard stamps[slot].load(ordering: .relaxed) == before, header.extendedSequence >= 0,
            UInt16(truncatingIfNeeded: header.extendedSequence) == sequence
        else { return nil }
        return header.isKeyframeStart
    }

    /// Counts the breaks in what the ring holds: the feed moved to another relay link, the
    /// publisher's stream restarted, or packets were given up for lost. A reader that started
    /// on a key frame before the newest break cannot decode on past it and restarts at the next
    /// key frame (``ViewerTrackForwarder``). Any thread.
    public var generation: UInt32 { discontinuities.load(ordering: .acquiring) }

    /// Records a break (see ``generation``) before the first packet after it is stored.
    public func markDiscontinuity() {
        discontinuities.add(1, ordering: .releasing)
    }

    /// The highest extended sequence number stored so far (writer's thread only).
    public var highestExtendedSequence: Int64? { unwrapper.highest }
}
