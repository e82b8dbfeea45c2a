/// Holds sent packets for a fixed delay before they reach the socket: the `delay_publishers`
/// fault, a slower path between publisher and node that the viewers' latency must show.
/// Capture times are stamped before the wait, as a real network delay would leave them.
/// Preallocated ring; pushing and draining allocate nothing. Worker thread only.
final class DelayLine {
    static let slotSize = 1500
    private let storage: UnsafeMutableRawBufferPointer
    private var lengths: [Int]
    private var due: [UInt64]
    private var head = 0
    private var count = 0
    /// Packets dropped because the line was full (the delay holds more than it can).
    private(set) var overflows = 0

    init(capacity: Int = 2048) {
        storage = .allocate(byteCount: capacity * Self.slotSize, alignment: 16)
        lengths = Array(repeating: 0, count: capacity)
        due = Array(repeating: 0, count: capacity)
    }

    deinit { storage.deallocate() }

    /// Queues `packet` to leave at `dueAt` (monotonic ns).
    func push(_ packet: UnsafeRawBufferPointer, dueAt: UInt64) {
        guard count < lengths.count, packet.count <= Self.slotSize, let source = packet.baseAddress,
            let base = storage.baseAddress
        else {
            overflows &+= 1
            return
        }
        let slot = (head + count) % lengths.count
        (base + slot * Self.slotSize).copyMemory(from: source, byteCount: packet.count)
        lengths[slot] = packet.count
        due[slot] = dueAt
        count += 1
    }

    /// Passes every packet due by `now` to `send`, oldest first.
    func drain(now: UInt64, _ send: (UnsafeRawBufferPointer) -> Void) {
        guard let base = storage.baseAddress else { return }
        while count > 0, due[head] <= now {
            send(UnsafeRawBufferPointer(start: base + head * Self.slotSize, count: lengths[head]))
            head = (head + 1) % lengths.count
            count -= 1
        }
    }
}
