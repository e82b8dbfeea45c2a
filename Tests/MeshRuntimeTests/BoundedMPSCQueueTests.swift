import MeshRuntime
import Testing

@Suite("BoundedMPSCQueue")
struct BoundedMPSCQueueTests {
    @Test("is FIFO, refuses pushes when full, and accepts again after a pop")
    func fifoAndBound() {
        let queue = BoundedMPSCQueue<Int>(minimumCapacity: 3)
        #expect(queue.capacity == 4)
        for value in 0..<4 { #expect(queue.push(value)) }
        #expect(!queue.push(99))
        #expect(queue.pop() == 0)
        #expect(queue.push(4))
        #expect((0..<4).map { _ in queue.pop() } == [1, 2, 3, 4])
        #expect(queue.pop() == nil)
    }

    @Test("wraps around its ring many times without losing order")
    func wrapAround() {
        let queue = BoundedMPSCQueue<String>(minimumCapacity: 2)
        for round in 0..<1000 {
            #expect(queue.push("a\(round)"))
            #expect(queue.push("b\(round)"))
            #expect(queue.pop() == "a\(round)")
            #expect(queue.pop() == "b\(round)")
        }
    }
}
