import MeshRuntime
import Testing

@testable import MeshRTC

/// The worker's backlog of DTLS handshake records (issue 12, join bursts): order kept, bytes
/// copied, full means dropped (the peer retransmits its flight, RFC 6347 §4.2.4).
@Suite("HandshakeBacklog")
struct HandshakeBacklogTests {
    private static let peerA = try! SocketAddress(ipv4: "192.0.2.1", port: 5000)
    private static let peerB = try! SocketAddress(ipv4: "192.0.2.2", port: 5001)

    @Test("records come out oldest first, with their bytes and sources, across the ring's wrap")
    func fifoAcrossWrap() {
        let backlog = HandshakeBacklog(capacity: 3)
        var taken: [([UInt8], SocketAddress)] = []
        func take() { _ = backlog.takeOldest { record, source in taken.append((Array(record), source)) } }
        for round in 0..<3 {
            let first: [UInt8] = [22, 254, 253, UInt8(round)]
            let second: [UInt8] = Array(repeating: UInt8(round), count: 1200)
            #expect(append(first, from: Self.peerA, to: backlog))
            #expect(append(second, from: Self.peerB, to: backlog))
            take()
            take()
            #expect(taken.map(\.0) == [first, second])
            #expect(taken.map(\.1) == [Self.peerA, Self.peerB])
            taken.removeAll()
        }
        #expect(backlog.isEmpty)
        #expect(!backlog.takeOldest { _, _ in Issue.record("nothing should be taken") })
    }

    @Test("a full backlog and a record larger than a slot are refused; nothing already kept changes")
    func refusesWhenFull() {
        let backlog = HandshakeBacklog(capacity: 2)
        let record: [UInt8] = [22, 254, 253]
        for _ in 0..<2 { #expect(append(record, from: Self.peerA, to: backlog)) }
        #expect(!append(record, from: Self.peerB, to: backlog))
        #expect(backlog.count == 2)
        let drained = HandshakeBacklog(capacity: 1)
        let huge = [UInt8](repeating: 0, count: HandshakeBacklog.slotSize + 1)
        #expect(!append(huge, from: Self.peerA, to: drained))
        #expect(drained.isEmpty)
    }

    @Test("records must wait once the batch's budget is spent, and while older ones wait")
    func mustDefer() {
        let backlog = HandshakeBacklog(capacity: 4)
        #expect(!backlog.mustDefer)
        backlog.budget = 0
        #expect(backlog.mustDefer)
        backlog.budget = HandshakeBacklog.perTurn
        _ = append([22], from: Self.peerA, to: backlog)
        #expect(backlog.mustDefer)
    }

    private func append(_ record: [UInt8], from source: SocketAddress, to backlog: HandshakeBacklog) -> Bool {
        record.withUnsafeBytes { backlog.append($0, from: source) }
    }
}
