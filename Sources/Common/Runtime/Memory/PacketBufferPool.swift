/// Fixed-size packet buffers carved out of one preallocated slab, owned by one worker.
///
/// Acquire and release pop and push an index on a preallocated free list: no locks (only the
/// owning worker's thread touches a pool) and no heap allocation after `init`. Releasing a
/// pointer the pool did not hand out, or releasing twice, is a programming error and traps.
public final class PacketBufferPool {
    /// Size in bytes of every buffer.
    public let bufferSize: Int
    /// How many buffers the slab holds.
    public let capacity: Int
    /// Buffers handed out and not yet released.
    public private(set) var inUse = 0
    /// The largest `inUse` ever reached.
    public private(set) var highWater = 0
    /// How many `acquire()` calls found the pool empty.
    public private(set) var exhaustedCount = 0

    private let slab: UnsafeMutableRawPointer
    /// Stack of free buffer indices; `freeCount` entries from the bottom are valid.
    private let freeIndices: UnsafeMutablePointer<Int32>
    private var freeCount: Int
    /// Per-buffer "handed out" flags, to catch double releases.
    private let handedOut: UnsafeMutablePointer<Bool>

    /// Allocates `capacity` buffers of `bufferSize` bytes (rounded up to 64 for cache-line
    /// alignment). The pages are not touched until ``prefault()``.
    public init(bufferSize: Int, capacity: Int) {
        precondition(bufferSize > 0 && capacity > 0 && capacity <= Int(Int32.max))
        let stride = (bufferSize + 63) & ~63
        self.bufferSize = stride
        self.capacity = capacity
        slab = UnsafeMutableRawPointer.allocate(byteCount: stride * capacity, alignment: 4096)
        freeIndices = .allocate(capacity: capacity)
        handedOut = .allocate(capacity: capacity)
        handedOut.initialize(repeating: false, count: capacity)
        // Lowest index on top, so buffers go out in address order.
        for slot in 0..<capacity {
            freeIndices[slot] = Int32(capacity - 1 - slot)
        }
        freeCount = capacity
    }

    /// Writes every byte once so the kernel places the slab's pages now, on the NUMA node the
    /// calling thread prefers (a worker calls this on its own thread after binding).
    public func prefault() {
        slab.initializeMemory(as: UInt8.self, repeating: 0, count: bufferSize * capacity)
    }

    deinit {
        slab.deallocate()
        freeIndices.deallocate()
        handedOut.deallocate()
    }

    /// Hands out a free buffer of `bufferSize` bytes, or nil (and counts it) when all are in use.
    @inline(__always)
    public func acquire() -> UnsafeMutableRawBufferPointer? {
        guard freeCount > 0 else {
            exhaustedCount &+= 1
            return nil
        }
        freeCount -= 1
        let index = Int(freeIndices[freeCount])
        handedOut[index] = true
        inUse += 1
        if inUse > highWater { highWater = inUse }
        return UnsafeMutableRawBufferPointer(start: slab + index * bufferSize, count: bufferSize)
    }

    /// Takes back a buffer by its start address.
    @inline(__always)
    public func release(_ base: UnsafeMutableRawPointer) {
        let offset = base - slab
        precondition(
            offset >= 0 && offset % bufferSize == 0 && offset / bufferSize < capacity,
            "PacketBufferPool.release: pointer is not a buffer of this pool")
        let index = offset / bufferSize
        precondition(handedOut[index], "PacketBufferPool.release: buffer released twice")
        handedOut[index] = false
        freeIndices[freeCount] = Int32(index)
        freeCount += 1
        inUse -= 1
    }

    /// True when `base` points into this pool's slab (at any offset).
    public func owns(_ base: UnsafeRawPointer) -> Bool {
        let offset = base - UnsafeRawPointer(slab)
        return offset >= 0 && offset < bufferSize * capacity
    }
}
