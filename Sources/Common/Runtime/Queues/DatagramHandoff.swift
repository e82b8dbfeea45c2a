import Synchronization

/// Datagrams handed from one loop to another inside the process, in place of a socket pair:
/// the TURN relay's in-process path to a media worker on another thread, and back (issue 13).
///
/// One producer thread copies each datagram into the next slot of a preallocated ring and queues
/// the slot's number on the consumer loop's inbox (a lock-free ring and one wake-up per burst);
/// the consumer hands the slot's bytes to `receive` in place, then frees it. Slots come back in
/// the order they were queued (an inbox is FIFO), so one atomic counter of consumed slots is all
/// the producer reads: a handoff allocates nothing per datagram and takes no lock.
///
/// Single producer: each direction between two loops has its own handoff. Datagrams larger than
/// ``slotSize`` are refused (media datagrams are below 1500 bytes).
public final class DatagramHandoff: @unchecked Sendable {
    /// One queued datagram: its slot, its length and the address it is from or for.
    public struct Entry: Sendable {
        let slot: Int32
        let length: Int32
        let address: SocketAddress
    }

    /// The largest datagram a slot holds.
    public static let slotSize = 2048

    /// How many datagrams can wait at once.
    public let capacity: Int
    private let slots: UnsafeMutableRawBufferPointer
    /// Slots queued so far; producer thread only.
    private var produced = 0
    /// Slots the consumer has finished with; the producer reads it to know what is free.
    private let consumed = Atomic<Int>(0)
    private var inbox: (any LoopInbox<Entry>)?
    private let receive: (UnsafeMutableRawBufferPointer, SocketAddress) -> Void

    /// A handoff into `consumer`, holding `capacity` datagrams: `receive` runs on that loop for
    /// each, with bytes valid (and writable) only during the call, and `afterDrain` once after each
    /// burst (the place to flush a send batch). Create it on the consumer loop.
    public init(
        consumer: any MediaLoop, capacity: Int,
        receive: @escaping (UnsafeMutableRawBufferPointer, SocketAddress) -> Void, afterDrain: (() -> Void)?
    ) throws(UVError) {
        self.capacity = capacity
        self.receive = receive
        slots = .allocate(byteCount: capacity * Self.slotSize, alignment: 16)
        // Held by its inbox until the inbox closes (with its loop, or ``close()``): the ring must
        // outlive every slot number still queued.
        inbox = try consumer.makeInbox(
            of: Entry.self, capacity: capacity, onReceive: { entry in self.deliver(entry) }, afterDrain: afterDrain)
    }

    deinit { slots.deallocate() }

    /// Copies `bytes` into a free slot and queues it for the consumer; false (nothing queued)
    /// when every slot is taken, the datagram is larger than a slot, or the handoff is closed.
    /// Producer thread only.
    @discardableResult
    public func send(_ bytes: UnsafeRawBufferPointer, address: SocketAddress) -> Bool {
        guard bytes.count <= Self.slotSize, let inbox,
            produced &- consumed.load(ordering: .acquiring) < capacity
        else { return false }
        let slot = produced % capacity
        let start = slot * Self.slotSize
        UnsafeMutableRawBufferPointer(rebasing: slots[start..<start + bytes.count]).copyMemory(from: bytes)
        guard inbox.send(Entry(slot: Int32(slot), length: Int32(bytes.count), address: address)) == .accepted else {
            return false
        }
        produced &+= 1
        return true
    }

    private func deliver(_ entry: Entry) {
        let start = Int(entry.slot) * Self.slotSize
        receive(UnsafeMutableRawBufferPointer(rebasing: slots[start..<start + Int(entry.length)]), entry.address)
        consumed.wrappingAdd(1, ordering: .releasing)
    }

    /// Stops taking datagrams and drops those queued. Consumer loop only; idempotent.
    public func close() {
        inbox?.close()
    }
}
