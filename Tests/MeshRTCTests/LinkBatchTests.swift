import MeshRTC
import MeshRuntime
import Synchronization
import Testing

/// State the test task reads while a worker's callbacks write it.
final class LinkTally: Sendable {
    struct Counts: Sendable {
        var media = 0
        var dropped = 0
        var sequences = Set<UInt16>()
    }
    private let mutex = Mutex(Counts())
    func update(_ body: (inout Counts) -> Void) { mutex.withLock { body(&$0) } }
    var value: Counts { mutex.withLock { $0 } }
}

/// A link end carried between `MediaWorker.run` calls; only the worker's thread touches it.
final class WorkerBound<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

@Suite("Relay link batches: GSO runs and sendmmsg")
struct LinkBatchTests {
    static func fill(_ batch: LinkBatch, sizes: [Int]) {
        for size in sizes {
            for index in 0..<size { batch.nextBuffer[index] = UInt8(truncatingIfNeeded: index) }
            batch.commit(length: size)
        }
    }

    @Test("runs follow the UDP_SEGMENT rule: equal sizes, only the last of a run may be shorter")
    func runs() {
        let batch = LinkBatch(capacity: 16)
        Self.fill(batch, sizes: [1200, 1200, 1200, 800, 1200, 300, 300, 300, 1000, 1100, 1100])
        var seen: [(Range<Int>, Bool)] = []
        batch.forEachRun { seen.append(($0, $1)) }
        #expect(seen.map(\.0) == [0..<4, 4..<6, 6..<8, 8..<9, 9..<11])
        #expect(seen.map(\.1) == [true, true, true, false, true])
    }

    @Test("a full batch takes no more packets")
    func capacity() {
        let batch = LinkBatch(capacity: 2)
        Self.fill(batch, sizes: [100, 100, 100])
        #expect(batch.count == 2 && batch.isFull)
    }

    @Test(
        "10,000 link packets over loopback UDP through sendSegmented (GSO, or its sendmmsg fallback) all arrive and decrypt"
    )
    func loopback() async throws {
        let total = 10_000
        let ssrc: UInt32 = 0x0A0A_0001
        let keys = LinkTestKeys.keys(seed: 3)
        let sending = try MediaWorker(index: 0, cpu: nil)
        let receiving = try MediaWorker(index: 1, cpu: nil)
        defer {
            sending.stop()
            receiving.stop()
        }
        let tally = LinkTally()
        let target = try await receiving.run {
            let receiver = try LinkReceiver(keys: keys, linkSSRC: 2, now: 0)
            receiver.addTrack(ssrc: ssrc, codec: .vp8, history: PacketHistory(capacity: 1024))
            let socket = try UDPSocket(worker: receiving, bindingTo: SocketAddress(ipv4: "127.0.0.1", port: 0))
            try socket.setReceiveBufferSize(1 << 22)
            try socket.startReceiving { bytes, _ in
                let buffer = UnsafeMutableRawBufferPointer(mutating: bytes)
                let result = receiver.receive(buffer, length: bytes.count, now: 1)
                let sequence = UInt16(buffer[2]) << 8 | UInt16(buffer[3])
                let isMedia = if case .media = result { true } else { false }
                tally.update {
                    if isMedia {
                        $0.media += 1
                        $0.sequences.insert(sequence)
                    } else {
                        $0.dropped += 1
                    }
                }
            }
            return socket.localAddress
        }
        let end = try await sending.run {
            let sender = try LinkSender(keys: keys, linkSSRC: 1)
            sender.subscribe(ssrc: ssrc, history: PacketHistory(capacity: 1024))
            let socket = try UDPSocket(worker: sending, bindingTo: SocketAddress(ipv4: "127.0.0.1", port: 0))
            return WorkerBound((sender, socket, LinkBatch(), socket.segmentationOffloadAvailable))
        }
        var sent = 0
        var flushes: [LinkBatch.FlushResult] = []
        while sent < total {
            let first = sent
            let result = try await sending.run {
                let (sender, socket, batch, _) = end.value
                for sequence in first..<min(first + batch.capacity, total) {
                    // Equal-size packets (1184 + 16-byte tag), as a video packetizer makes them.
                    let packet = LinkHarness.packet(
                        ssrc: ssrc, sequence: UInt16(truncatingIfNeeded: sequence), size: 1184)
                    let length = packet.withRaw { sender.protect($0, into: batch.nextBuffer, now: 0) }
                    batch.commit(length: length ?? 0)
                }
                return batch.flush(on: socket, to: target)
            }
            flushes.append(result)
            sent += result.sent
            if result.dropped > 0 { break }
            // Pace by the receiver: the loopback socket buffer holds only so much.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(5)
            while tally.value.media + tally.value.dropped < sent, clock.now < deadline {
                try await Task.sleep(for: .milliseconds(1))
            }
        }
        let offload = try await sending.run { (end.value.3, end.value.1.statistics) }
        let counts = tally.value
        let segmented = flushes.map(\.segmented).reduce(0, +)
        print(
            "relay link loopback: \(counts.media) of \(total) received; GSO available \(offload.0); "
                + "segmented \(offload.1.datagramsSentSegmented), sendmmsg \(offload.1.datagramsSentBatched), "
                + "fallbacks \(offload.1.segmentationFallbacks)")
        #expect(sent == total)
        #expect(counts.media == total && counts.dropped == 0)
        #expect(counts.sequences.count == total)
        #expect(offload.1.datagramsSentSegmented + offload.1.datagramsSentBatched == total)
        if offload.0 && offload.1.segmentationFallbacks == 0 {
            #expect(segmented == total, "every datagram went through sendSegmented")
            #expect(offload.1.datagramsSentSegmented == total, "GSO was available and carried everything")
        } else {
            // No GSO here: the batch said so and sent with sendmmsg.
            #expect(offload.1.datagramsSentBatched > 0)
        }
    }
}
