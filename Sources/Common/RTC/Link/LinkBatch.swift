import MeshRuntime

/// Protected packets bound for one relay link, collected during a burst and sent together.
///
/// When the socket has UDP GSO (`UDPSocket/segmentationOffloadAvailable`), each run of
/// consecutive packets of one size (the last of a run may be shorter: the kernel's rule for
/// `UDP_SEGMENT`) goes out with one `sendSegmented` call; packets that form no run of at least
/// ``minimumSegmentedRun`` go with `sendBatch` (`sendmmsg`). Without GSO everything goes with
/// `sendBatch`. Order is kept. Video packetizers cut a frame into packets of one size, so a
/// frame is typically one GSO run; audio and mixed-size traffic falls to `sendmmsg`.
///
/// Buffers are allocated once; filling and flushing allocate nothing. One worker owns a batch.
public final class LinkBatch {
    /// What one ``flush(on:to:)`` did.
    public struct FlushResult: Sendable, Equatable {
        /// Datagrams the kernel took.
        public var sent = 0
        /// Bytes of those datagrams.
        public var bytes = 0
        /// Of those, datagrams sent in `sendSegmented` calls (GSO, or its own fallback).
        public var segmented = 0
        /// `sendSegmented` calls made.
        public var segmentedCalls = 0
        /// Datagrams the kernel refused (`EAGAIN`) or a send error lost.
        public var dropped = 0
    }

    /// Shortest run worth a GSO call: one segment is just a `sendmmsg` entry.
    public static let minimumSegmentedRun = 2

    /// Packets a batch holds (one `sendmmsg` or GSO call's worth).
    public let capacity: Int
    /// Bytes each packet slot holds.
    public let slotSize: Int
    /// Packets collected.
    public private(set) var count = 0

    private let storage: UnsafeMutableRawBufferPointer
    private let lengths: UnsafeMutablePointer<Int>
    private let segments: UnsafeMutablePointer<UnsafeRawBufferPointer>
    private let datagrams: UnsafeMutablePointer<OutgoingDatagram>

    /// A batch of `capacity` slots of `slotSize` bytes (room for a 1500-byte packet and its tag).
    public init(capacity: Int = UDPSocket.maxBatch, slotSize: Int = 1536) {
        self.capacity = max(capacity, 1)
        self.slotSize = max(slotSize, 64)
        storage = .allocate(byteCount: self.capacity * self.slotSize, alignment: 16)
        lengths = .allocate(capacity: self.capacity)
        lengths.initialize(repeating: 0, count: self.capacity)
        segments = .allocate(capacity: self.capacity)
        datagrams = .allocate(capacity: self.capacity)
    }

    deinit {
        storage.deallocate()
        lengths.deallocate()
        segments.deallocate()
        datagrams.deallocate()
    }

    /// True when ``commit(length:)`` has no slot left: flush first.
    public var isFull: Bool { count == capacity }

    /// The slot the next packet is written (and protected) into.
    public var nextBuffer: UnsafeMutableRawBufferPointer {
        let slot = min(count, capacity - 1)
        return UnsafeMutableRawBufferPointer(rebasing: storage[slot * slotSize..<(slot + 1) * slotSize])
    }

    /// Adds the first `length` bytes of ``nextBuffer`` to the batch.
    public func commit(length: Int) {
        guard count < capacity, length > 0, length <= slotSize else { return }
        lengths[count] = length
        count += 1
    }

    /// The `index`th packet collected.
    public func packet(at index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: storage[index * slotSize..<index * slotSize + lengths[index]])
    }

    /// Calls `body` with each run of consecutive packets in order and whether it is long enough
    /// for GSO: a run shares its first packet's size, except that a shorter packet may end it.
    public func forEachRun(_ body: (Range<Int>, _ segmentable: Bool) -> Void) {
        var start = 0
        while start < count {
            let size = lengths[start]
            var end = start + 1
            while end < count, lengths[end] == size { end += 1 }
            if end < count, lengths[end] < size { end += 1 }
            body(start..<end, end - start >= Self.minimumSegmentedRun)
            start = end
        }
    }

    /// Sends everything collected to `destination` on `socket` and empties the batch.
    @discardableResult
    public func flush(on socket: any DatagramSocket, to destination: SocketAddress) -> FlushResult {
        var result = FlushResult()
        defer { count = 0 }
        guard count > 0 else { return result }
        var pending = 0
        var stopped = false
        func sendPending() {
            guard pending > 0, !stopped else { return }
            let taken = (try? socket.sendBatch(UnsafeBufferPointer(start: datagrams, count: pending))) ?? 0
            datagrams.deinitialize(count: pending)
            result.sent += taken
            if taken < pending { stopped = true }
            pending = 0
        }
        let useSegmentation = socket.segmentationOffloadAvailable
        forEachRun { run, segmentable in
            guard !stopped else { return }
            if useSegmentation && segmentable {
                sendPending()
                guard !stopped else { return }
                for index in run { segments[index - run.lowerBound] = packet(at: index) }
                let taken =
                    (try? socket.sendSegmented(UnsafeBufferPointer(start: segments, count: run.count), to: destination))
                    ?? 0
                result.sent += taken
                result.segmented += taken
                result.segmentedCalls += 1
                if taken < run.count { stopped = true }
            } else {
                for index in run {
                    (datagrams + pending).initialize(
                        to: OutgoingDatagram(bytes: packet(at: index), destination: destination))
                    pending += 1
                }
            }
        }
        sendPending()
        if pending > 0 {
            datagrams.deinitialize(count: pending)
        }
        result.dropped = count - result.sent
        for index in 0..<result.sent { result.bytes &+= lengths[index] }
        return result
    }
}

@available(*, unavailable, message: "a relay link batch belongs to one worker")
extension LinkBatch: Sendable {}
