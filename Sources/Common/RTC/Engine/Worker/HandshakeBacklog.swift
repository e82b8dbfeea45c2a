import MeshRuntime

/// DTLS handshake records a worker put off so that a burst of joining viewers cannot hold its
/// loop for long (issue 12: existing viewers must not stall while others join).
///
/// A handshake record costs a signature, a key agreement or a certificate check: a few hundred
/// microseconds, where forwarding a packet costs a few. The worker handles at most
/// ``perTurn`` of them per receive batch and per backlog timer firing; the rest wait here, in
/// order, in slots allocated once. When every slot is taken the record is dropped and the peer's
/// retransmission timer (RFC 6347 §4.2.4) sends it again. Worker thread only.
final class HandshakeBacklog {
    /// Handshake records handled per receive batch, and per firing of the backlog timer.
    static let perTurn = 2
    /// The largest record kept: a full-size datagram on any path.
    static let slotSize = 2048

    /// Handshake records the worker may still handle in this batch.
    var budget = HandshakeBacklog.perTurn

    private let slots: UnsafeMutableRawBufferPointer
    private var lengths: [Int]
    private var sources: [SocketAddress?]
    private var oldest = 0
    private(set) var count = 0

    /// A backlog of `capacity` records.
    init(capacity: Int = 64) {
        precondition(capacity > 0)
        slots = .allocate(byteCount: capacity * Self.slotSize, alignment: 16)
        lengths = Array(repeating: 0, count: capacity)
        sources = Array(repeating: nil, count: capacity)
    }

    deinit { slots.deallocate() }

    var isEmpty: Bool { count == 0 }
    var capacity: Int { lengths.count }

    /// Whether a record that arrives now must wait: the batch's budget is spent, or older ones
    /// wait already (records of one handshake keep their order).
    var mustDefer: Bool { budget <= 0 || count > 0 }

    /// Copies `record` from `source` in at the back; false when it is full or the record too large.
    func append(_ record: UnsafeRawBufferPointer, from source: SocketAddress) -> Bool {
        guard count < capacity, record.count <= Self.slotSize else { return false }
        let slot = (oldest + count) % capacity
        let destination = UnsafeMutableRawBufferPointer(rebasing: slots[(slot * Self.slotSize)...])
        destination.copyMemory(from: record)
        lengths[slot] = record.count
        sources[slot] = source
        count += 1
        return true
    }

    /// Hands the oldest record to `body` (its bytes may be changed in place) and removes it;
    /// false when there is none.
    func takeOldest(_ body: (UnsafeMutableRawBufferPointer, SocketAddress) -> Void) -> Bool {
        guard count > 0, let source = sources[oldest] else { return false }
        let start = oldest * Self.slotSize
        body(UnsafeMutableRawBufferPointer(rebasing: slots[start..<(start + lengths[oldest])]), source)
        sources[oldest] = nil
        oldest = (oldest + 1) % capacity
        count -= 1
        return true
    }
}
