import Foundation
import MeshRuntime
import Testing

/// Consumer-side bookkeeping, touched only on the consuming worker's thread.
private final class ProducerLedger: @unchecked Sendable {
    var nextExpected: [UInt64]
    var received = 0
    var outOfOrder = 0
    init(producers: Int) { nextExpected = Array(repeating: 0, count: producers) }
}

@Suite("Cross-worker inbox")
struct WorkerInboxTests {
    @Test("4 producer threads × 100k messages: nothing lost, nothing duplicated, FIFO per producer")
    func fourProducers() async throws {
        let producers = 4
        let perProducer: UInt64 = 100_000
        let worker = try MediaWorker(cpu: nil)
        defer { worker.stop() }
        let ledger = ProducerLedger(producers: producers)
        let inbox = try await worker.run {
            try worker.makeInbox(of: UInt64.self, capacity: 1024) { message in
                let producer = Int(message >> 32)
                let sequence = message & 0xFFFF_FFFF
                // Any loss, duplicate or reordering within a producer breaks this equality.
                if producer < ledger.nextExpected.count, ledger.nextExpected[producer] == sequence {
                    ledger.nextExpected[producer] += 1
                } else {
                    ledger.outOfOrder += 1
                }
                ledger.received += 1
            }
        }
        let finished = Shared(0)
        for producer in 0..<producers {
            let thread = Thread {
                for sequence in 0..<perProducer {
                    let message = UInt64(producer) << 32 | sequence
                    // Bounded queue: a full inbox means retry (the consumer is draining).
                    while inbox.send(message) == .full { sched_yield() }
                }
                finished.update { $0 += 1 }
            }
            thread.start()
        }
        // Five busy threads on a 2-core machine: the waits bound a hang, not the speed.
        _ = await waitUntil(timeout: .seconds(60)) { finished.value == producers }
        let total = Int(perProducer) * producers
        _ = try await waitUntil(timeout: .seconds(60)) { try await worker.run { ledger.received } == total }
        let (received, outOfOrder, next) = try await worker.run {
            (ledger.received, ledger.outOfOrder, ledger.nextExpected)
        }
        #expect(finished.value == producers)
        #expect(received == total)
        #expect(outOfOrder == 0)
        #expect(next == Array(repeating: perProducer, count: producers))
    }

    @Test("a full inbox says so, and a closed one refuses")
    func fullAndClosed() async throws {
        let worker = try MediaWorker(cpu: nil)
        defer { worker.stop() }
        // Filled from inside the worker, so it cannot drain between sends.
        let results = try await worker.run { () -> [InboxSendResult] in
            let inbox = try worker.makeInbox(of: Int.self, capacity: 2) { _ in }
            let filling = [inbox.send(1), inbox.send(2), inbox.send(3)]
            inbox.close()
            return filling + [inbox.send(4)]
        }
        #expect(results == [.accepted, .accepted, .full, .closed])
    }
}
