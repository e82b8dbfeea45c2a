import MeshRuntime
import Testing

/// `DatagramHandoff` on an embedded loop: datagrams arrive in order with their address, a full
/// ring refuses instead of growing, slots come back after each drain (the ring wraps), and a
/// datagram larger than a slot is refused.
@Suite("DatagramHandoff: datagrams between loops without a socket")
struct DatagramHandoffTests {
    @Test("in order, refused when full or too large, slots reused after a drain")
    func ringInOrderFullAndWrap() async throws {
        let runtime = EmbeddedRuntime()
        let consumer = runtime.makeLoop()
        let received = Shared<[([UInt8], SocketAddress)]>([])
        let drains = Shared<Int>(0)
        let handoff = try await consumer.run {
            try DatagramHandoff(
                consumer: consumer, capacity: 4,
                receive: { bytes, address in received.update { $0.append((Array(bytes), address)) } },
                afterDrain: { drains.update { $0 += 1 } })
        }
        let from = SocketAddress(ipv4: 0x7F00_0001, port: 50_000)
        func send(_ value: UInt8, count: Int = 3) -> Bool {
            [UInt8](repeating: value, count: count).withUnsafeBytes { handoff.send($0, address: from) }
        }
        #expect((1...4).map { send($0) } == [true, true, true, true])
        #expect(send(5) == false, "a full ring refuses: nothing is queued beyond its slots")
        try runtime.runUntilIdle()
        #expect(received.value.map(\.0) == (1...4).map { [UInt8](repeating: $0, count: 3) })
        #expect(received.value.allSatisfy { $0.1 == from })
        #expect(drains.value == 1)
        // Every slot is free again; the ring wraps around.
        #expect((6...9).map { send($0) } == [true, true, true, true])
        try runtime.runUntilIdle()
        #expect(received.value.suffix(4).map(\.0) == (6...9).map { [UInt8](repeating: $0, count: 3) })
        #expect(send(10, count: DatagramHandoff.slotSize + 1) == false)
        #expect(send(11, count: DatagramHandoff.slotSize) == true)
        try await consumer.run { handoff.close() }
        #expect(send(12) == false, "a closed handoff takes nothing")
    }
}
