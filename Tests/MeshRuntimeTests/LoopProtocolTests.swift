import Foundation
import MeshRuntime
import Testing

/// Datagrams a receiver got, split where `batchEnded` fell.
private struct BatchLog: Sendable {
    var current = 0
    var batches: [Int] = []

    mutating func endBatch() {
        batches.append(current)
        current = 0
    }
}

@Suite("Loop protocols on libuv")
struct LoopProtocolTests {
    /// Sends `count` small datagrams from a fresh socket on `loop`; call on the loop.
    private static func send(_ count: Int, on loop: any MediaLoop, to target: SocketAddress) throws {
        let sender = try loop.openDatagramSocket(bindingTo: loopbackIPv4)
        let payload: [UInt8] = Array(repeating: 0x5A, count: 100)
        try payload.withUnsafeBytes { bytes in
            for _ in 0..<count { try sender.send(bytes, to: target) }
        }
    }

    @Test("batchEnded follows each recvmmsg batch, and a lone datagram, once")
    func batchEndedPerBatch() async throws {
        var settings = WorkerSettings()
        settings.receiveBatchSize = 8
        let worker = try MediaWorker(cpu: nil, settings: settings)
        defer { worker.stop() }
        let loop: any MediaLoop = worker
        let log = Shared(BatchLog())
        let target = try await loop.run {
            let receiver = try loop.openDatagramSocket(bindingTo: loopbackIPv4)
            try receiver.startReceiving(
                { _, _ in log.update { $0.current += 1 } }, batchEnded: { log.update { $0.endBatch() } })
            // Sent on the loop's own thread: all twelve wait in the kernel until the loop polls,
            // then come back as one full recvmmsg batch of 8 and one of 4.
            try Self.send(12, on: loop, to: receiver.localAddress)
            return receiver.localAddress
        }
        _ = await waitUntil { log.value.batches.count >= 2 }
        #expect(log.value.batches == [8, 4])
        try await loop.run { try Self.send(1, on: loop, to: target) }
        _ = await waitUntil { log.value.batches.count >= 3 }
        // Also proves that the read that finds nothing more waiting calls nothing.
        #expect(log.value.batches == [8, 4, 1])
        #expect(log.value.current == 0)
    }

    @Test("afterDrain runs once after each drain of a worker inbox")
    func afterDrainPerDrain() async throws {
        let worker = try MediaWorker(cpu: nil)
        defer { worker.stop() }
        let loop: any MediaLoop = worker
        let log = Shared<[String]>([])
        let inbox = try await loop.run {
            let inbox = try loop.makeInbox(
                of: Int.self, capacity: 16,
                onReceive: { value in log.update { $0.append("\(value)") } },
                afterDrain: { log.update { $0.append("drained") } })
            // Sent on the loop's thread: none can drain before this block returns.
            for value in 1...3 { inbox.send(value) }
            return inbox
        }
        _ = await waitUntil { log.value.count >= 4 }
        #expect(log.value == ["1", "2", "3", "drained"])
        #expect(inbox.send(4) == .accepted)
        _ = await waitUntil { log.value.count >= 6 }
        #expect(log.value == ["1", "2", "3", "drained", "4", "drained"])
    }

    @Test("a worker's timer works through the protocol, and its idle time grows")
    func timerThroughProtocol() async throws {
        let worker = try MediaWorker(cpu: nil)
        defer { worker.stop() }
        let loop: any MediaLoop = worker
        let fired = Shared(0)
        let idleBefore = try await loop.run {
            try loop.makeTimer().start(afterMilliseconds: 1, repeatingEvery: 0) { fired.update { $0 += 1 } }
            return loop.loopIdleTime
        }
        _ = await waitUntil { fired.value == 1 }
        try await Task.sleep(for: .milliseconds(5))
        #expect(fired.value == 1, "a one-shot timer fires once")
        #expect(try await loop.run { loop.loopIdleTime } > idleBefore)
    }

    @Test("SystemClock: monotonic time never goes back; NTP time is the wall clock since 1900")
    func systemClock() {
        let clock = SystemClock()
        let first = clock.now()
        let second = clock.now()
        #expect(second >= first)
        let ntpSeconds = Double(clock.ntpNow() >> 32)
        let expected = Date().timeIntervalSince1970 + 2_208_988_800
        #expect(abs(ntpSeconds - expected) < 2)
    }
}
