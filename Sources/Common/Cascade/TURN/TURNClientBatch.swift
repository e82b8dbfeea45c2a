import MeshRuntime

/// Relayed datagrams on their way to UDP clients, wrapped straight into preallocated slots and
/// sent with one `sendmmsg` per burst (issue 13: the relay sent each one with its own
/// `uv_udp_try_send`, a system call per forwarded packet where direct viewers share one per 64).
///
/// The relay's server writes the ChannelData or Data indication into ``nextSlot``; the relay
/// commits it and flushes at the end of each burst (a media worker's send batch, a handoff
/// drain, a relayed socket's receive batch) or when the batch is full. Filling and flushing
/// allocate nothing. Relay loop only.
final class TURNClientBatch {
    /// Datagrams per batch: one `sendmmsg` call.
    static let capacity = UDPSocket.maxBatch
    /// The largest payload a slot takes: a media datagram as large as a handoff slot. Larger
    /// ones (only from a relayed socket) are sent on their own.
    static let largestPayload = DatagramHandoff.slotSize
    /// The payload wrapped as a Data indication (20-byte header, XOR-PEER-ADDRESS of up to 24
    /// bytes, DATA header and padding) fits.
    static let slotSize = largestPayload + 64

    private let storage: UnsafeMutableRawBufferPointer
    private let datagrams: UnsafeMutablePointer<OutgoingDatagram>
    private(set) var count = 0

    init() {
        storage = .allocate(byteCount: Self.capacity * Self.slotSize, alignment: 16)
        datagrams = .allocate(capacity: Self.capacity)
    }

    deinit {
        datagrams.deinitialize(count: count)
        storage.deallocate()
        datagrams.deallocate()
    }

    /// The slot the next datagram is written into; ``flush(on:)`` first when the batch is full.
    var nextSlot: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: storage[count * Self.slotSize..<(count + 1) * Self.slotSize])
    }

    var isFull: Bool { count == Self.capacity }

    /// Adds the first `length` bytes of ``nextSlot`` as a datagram to `destination`.
    func commit(length: Int, to destination: SocketAddress) {
        let bytes = UnsafeRawBufferPointer(rebasing: storage[count * Self.slotSize..<count * Self.slotSize + length])
        (datagrams + count).initialize(to: OutgoingDatagram(bytes: bytes, destination: destination))
        count += 1
    }

    /// Sends everything committed on `socket`; returns how many the kernel refused (a full
    /// socket, or no socket), which are dropped.
    func flush(on socket: (any DatagramSocket)?) -> Int {
        guard count > 0 else { return 0 }
        defer {
            datagrams.deinitialize(count: count)
            count = 0
        }
        guard let socket else { return count }
        let sent = (try? socket.sendBatch(UnsafeBufferPointer(start: datagrams, count: count))) ?? 0
        return count - sent
    }
}
