import Synchronization

/// A bounded, lock-free queue: any number of threads push, exactly one thread pops.
///
/// It is a ring of `capacity` slots, each with an atomic sequence number (Dmitry Vyukov's
/// bounded queue, with the consumer side simplified for a single consumer). Producers claim a
/// slot with one compare-and-swap on the tail counter; the consumer needs no read-modify-write
/// at all.
///
/// Bounded on purpose: a push never allocates (the hot path hands one packet per worker per
/// forwarded packet through here), and a stalled consumer makes producers see `false` and drop
/// or retry, instead of growing memory without limit. Media is loss-tolerant; control calls
/// get an error they can report.
public final class BoundedMPSCQueue<Element>: @unchecked Sendable {
    /// How many elements the queue holds at most (a power of two).
    public let capacity: Int
    private let mask: Int
    private let sequences: UnsafeMutablePointer<Atomic<Int>>
    private let slots: UnsafeMutablePointer<Element>
    private let tail = Atomic<Int>(0)
    /// Next position to pop; touched by the consumer thread only.
    private var head = 0

    /// Creates a queue holding at least `minimumCapacity` elements (rounded up to a power of 2).
    public init(minimumCapacity: Int) {
        precondition(minimumCapacity > 0)
        var size = 1
        while size < minimumCapacity { size <<= 1 }
        capacity = size
        mask = size - 1
        sequences = .allocate(capacity: size)
        for index in 0..<size {
            (sequences + index).initialize(to: Atomic<Int>(index))
        }
        slots = .allocate(capacity: size)
    }

    deinit {
        while pop() != nil {}
        sequences.deinitialize(count: capacity)
        sequences.deallocate()
        slots.deallocate()
    }

    /// Appends `element`; returns false, leaving the queue unchanged, when it is full.
    /// Safe from any thread.
    public func push(_ element: consuming Element) -> Bool {
        var position = tail.load(ordering: .relaxed)
        while true {
            let sequence = sequences[position & mask].load(ordering: .acquiring)
            let lag = sequence &- position
            if lag == 0 {
                let (exchanged, current) = tail.compareExchange(
                    expected: position, desired: position &+ 1, ordering: .relaxed)
                if exchanged { break }
                position = current
            } else if lag < 0 {
                return false
            } else {
                position = tail.load(ordering: .relaxed)
            }
        }
        (slots + (position & mask)).initialize(to: element)
        sequences[position & mask].store(position &+ 1, ordering: .releasing)
        return true
    }

    /// Removes the oldest element, or returns nil when none is ready.
    /// Only the single consumer thread may call this.
    public func pop() -> Element? {
        let index = head & mask
        let sequence = sequences[index].load(ordering: .acquiring)
        guard sequence == head &+ 1 else { return nil }
        let element = (slots + index).move()
        sequences[index].store(head &+ capacity, ordering: .releasing)
        head = head &+ 1
        return element
    }
}
