import MeshRuntime
import Testing

/// `DatagramBatch`: datagrams written into preallocated slots leave with one `sendBatch`, whole
/// and in order; what does not fit is not taken, and with no socket everything is dropped.
@Suite("Datagram batch")
struct DatagramBatchTests {
    @Test("committed datagrams leave in one flush, whole and in order; the batch is empty after")
    func flushSendsInOrder() throws {
        let runtime = EmbeddedRuntime()
        let loop = runtime.makeLoop()
        let sender = try loop.openDatagramSocket(bindingTo: SocketAddress(ipv4: "10.0.0.1", port: 1))
        let receiver = try loop.openDatagramSocket(bindingTo: SocketAddress(ipv4: "10.0.0.2", port: 2))
        var received: [[UInt8]] = []
        try receiver.startReceiving({ bytes, _ in received.append(Array(bytes)) }, batchEnded: nil)

        let batch = DatagramBatch(capacity: 4, slotSize: 8)
        for index in 0..<4 {
            let slot = batch.nextSlot
            for byte in 0...index { slot[byte] = UInt8(index) }
            batch.commit(length: index + 1, to: receiver.localAddress)
        }
        #expect(batch.isFull)
        batch.commit(length: 1, to: receiver.localAddress)  // no slot left: not taken
        #expect(batch.count == 4)
        let result = batch.flush(on: sender)
        #expect(result.sent == 4 && result.bytes == 1 + 2 + 3 + 4 && result.dropped == 0)
        #expect(batch.count == 0)
        try runtime.runUntilIdle()
        #expect(received == [[0], [1, 1], [2, 2, 2], [3, 3, 3, 3]])
    }

    @Test("a datagram longer than a slot is not taken; with no socket the batch is dropped")
    func refusals() throws {
        let batch = DatagramBatch(capacity: 2, slotSize: 8)
        let somewhere = try SocketAddress(ipv4: "10.0.0.9", port: 9)
        batch.commit(length: 9, to: somewhere)
        #expect(batch.count == 0)
        batch.commit(length: 8, to: somewhere)
        let result = batch.flush(on: nil)
        #expect(result.sent == 0 && result.dropped == 1 && batch.count == 0)
    }
}
