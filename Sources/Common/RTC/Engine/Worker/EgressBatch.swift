import MeshRuntime

/// Outgoing datagrams of one worker, collected and sent with one `sendmmsg`.
///
/// The buffers are allocated once per worker, so filling and flushing the batch allocates
/// nothing: a packet fanned out to N viewers costs N encryptions and one system call per 64.
final class EgressBatch {
    static let capacity = UDPSocket.maxBatch
    static let bufferSize = 2048

    private let storage: UnsafeMutableRawBufferPointer
    private let datagrams: UnsafeMutablePointer<OutgoingDatagram>
    private(set) var count = 0

    init() {
        storage = .allocate(byteCount: Self.capacity * Self.bufferSize, alignment: 16)
        datagrams = .allocate(capacity: Self.capacity)
    }

    deinit {
        storage.deallocate()
        datagrams.deallocate()
    }

    /// The buffer the next datagram is written into; `flush` first when the batch is full.
    var nextBuffer: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: storage[count * Self.bufferSize..<(count + 1) * Self.bufferSize])
    }

    var isFull: Bool { count == Self.capacity }

    /// Adds the first `length` bytes of ``nextBuffer`` as a datagram to `destination`.
    func commit(length: Int, to destination: SocketAddress) {
        let bytes = UnsafeRawBufferPointer(rebasing: nextBuffer[0..<length])
        (datagrams + count).initialize(to: OutgoingDatagram(bytes: bytes, destination: destination))
        count += 1
    }

    /// Sends everything collected; returns (sent, bytes sent, dropped because the socket was full).
    func flush(on socket: any DatagramSocket) -> (sent: Int, bytes: Int, dropped: Int) {
        guard count > 0 else { return (0, 0, 0) }
        defer {
            datagrams.deinitialize(count: count)
            count = 0
        }
        let sent = (try? socket.sendBatch(UnsafeBufferPointer(start: datagrams, count: count))) ?? 0
        var bytes = 0
        for index in 0..<sent { bytes += datagrams[index].bytes.count }
        return (sent, bytes, count - sent)
    }
}
