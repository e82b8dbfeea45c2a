/// Outgoing datagrams of one worker, written straight into preallocated slots and sent with one
/// `sendmmsg` (``DatagramSocket/sendBatch(_:)``).
///
/// The slots are allocated once, so filling and flushing allocate nothing: a packet fanned out to
/// N viewers costs N encryptions and one system call per ``capacity``. The worker's viewer egress
/// (MeshRTC) and the TURN relay's datagrams to UDP clients (MeshCascade) are each one of these;
/// a relay link's packets go as GSO runs instead (MeshRTC's `LinkBatch`). One worker owns a batch.
public final class DatagramBatch {
    /// Datagrams one flush sends.
    public let capacity: Int
    /// Bytes each slot holds.
    public let slotSize: Int
    /// Datagrams committed and not yet sent.
    public private(set) var count = 0

    private let storage: UnsafeMutableRawBufferPointer
    private let datagrams: UnsafeMutablePointer<OutgoingDatagram>

    /// A batch of `capacity` slots of `slotSize` bytes.
    public init(capacity: Int = UDPSocket.maxBatch, slotSize: Int) {
        self.capacity = max(capacity, 1)
        self.slotSize = max(slotSize, 1)
        storage = .allocate(byteCount: self.capacity * self.slotSize, alignment: 16)
        datagrams = .allocate(capacity: self.capacity)
    }

    deinit {
        datagrams.deinitialize(count: count)
        storage.deallocate()
        datagrams.deallocate()
    }

    /// True when no slot is left: ``flush(on:)`` first.
    public var isFull: Bool { count == capacity }

    /// The slot the next datagram is written into (the last slot again while the batch is full).
    public var nextSlot: UnsafeMutableRawBufferPointer {
        let slot = min(count, capacity - 1)
        return UnsafeMutableRawBufferPointer(rebasing: storage[slot * slotSize..<(slot + 1) * slotSize])
    }

    /// Adds the first `length` bytes of ``nextSlot`` as a datagram to `destination`; ignored
    /// when the batch is full or the length does not fit a slot.
    public func commit(length: Int, to destination: SocketAddress) {
        guard count < capacity, length >= 0, length <= slotSize else { return }
        let start = count * slotSize
        let bytes = UnsafeRawBufferPointer(rebasing: storage[start..<start + length])
        (datagrams + count).initialize(to: OutgoingDatagram(bytes: bytes, destination: destination))
        count += 1
    }

    /// Sends everything committed on `socket` and empties the batch: how many the kernel took,
    /// their bytes, and how many it refused (a full socket buffer, or no socket), which are
    /// dropped.
    public func flush(on socket: (any DatagramSocket)?) -> (sent: Int, bytes: Int, dropped: Int) {
        guard count > 0 else { return (0, 0, 0) }
        defer {
            datagrams.deinitialize(count: count)
            count = 0
        }
        let sent = socket.flatMap { try? $0.sendBatch(UnsafeBufferPointer(start: datagrams, count: count)) } ?? 0
        var bytes = 0
        for index in 0..<sent { bytes += datagrams[index].bytes.count }
        return (sent, bytes, count - sent)
    }
}

@available(*, unavailable, message: "a datagram batch belongs to one worker")
extension DatagramBatch: Sendable {}
