import MeshRuntime
import Testing

@Suite("PacketBufferPool")
struct PacketBufferPoolTests {
    @Test("never hands out the same buffer twice and counts exhaustion")
    func distinctBuffers() throws {
        let pool = PacketBufferPool(bufferSize: 1500, capacity: 64)
        #expect(pool.bufferSize >= 1500)
        var seen = Set<UnsafeMutableRawPointer>()
        for _ in 0..<64 {
            let buffer = try #require(pool.acquire())
            let base = try #require(buffer.baseAddress)
            #expect(buffer.count == pool.bufferSize)
            #expect(seen.insert(base).inserted)
        }
        // Buffers must not overlap either: sorted starts are at least one buffer apart.
        let starts = seen.sorted()
        for (lower, upper) in zip(starts, starts.dropFirst()) {
            #expect(upper - lower >= pool.bufferSize)
        }
        #expect(pool.acquire() == nil)
        #expect(pool.exhaustedCount == 1)
        #expect(pool.inUse == 64)
        #expect(pool.highWater == 64)

        for base in seen { pool.release(base) }
        #expect(pool.inUse == 0)
        #expect(pool.highWater == 64)
        // Everything came back: the whole pool can be taken again.
        var again = Set<UnsafeMutableRawPointer>()
        while let buffer = pool.acquire(), let base = buffer.baseAddress { again.insert(base) }
        #expect(again == seen)
    }

    @Test("a released buffer is handed out again before the pool grows its high water")
    func reuse() throws {
        let pool = PacketBufferPool(bufferSize: 2048, capacity: 8)
        let first = try #require(pool.acquire()?.baseAddress)
        pool.release(first)
        let second = try #require(pool.acquire()?.baseAddress)
        #expect(second == first)
        #expect(pool.highWater == 1)
        #expect(pool.owns(second))
        #expect(!pool.owns(UnsafeRawPointer(bitPattern: 0x10)!))
    }
}
