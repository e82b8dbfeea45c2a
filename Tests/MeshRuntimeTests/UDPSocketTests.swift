import Glibc
import MeshRuntime
import Testing

@Suite("UDP sockets")
struct UDPSocketTests {
    static let datagramSize = 1000

    @Test("binds IPv4 and IPv6 with port 0 and reports the kernel's port")
    func bindReportsPort() async throws {
        let worker = try MediaWorker(cpu: nil)
        defer { worker.stop() }
        let (v4, v6) = try await worker.run {
            let v4 = try UDPSocket(worker: worker, bindingTo: loopbackIPv4)
            let v6 = try UDPSocket(worker: worker, bindingTo: SocketAddress(ipv6: "::1", port: 0), ipv6Only: true)
            return (v4.localAddress, v6.localAddress)
        }
        #expect(v4.family == AF_INET && v4.port != 0 && v4.host == "127.0.0.1")
        #expect(v6.family == AF_INET6 && v6.port != 0 && v6.host == "::1")
    }

    @Test("echo through two workers: A sends N datagrams to B, B echoes, A gets all intact")
    func echoAcrossWorkers() async throws {
        // Bursts fit a receive buffer capped at Linux's default `net.core.rmem_max` (212992,
        // about 180 such datagrams): a loaded CI machine may not run the receiver meanwhile.
        let count = 150
        let size = Self.datagramSize
        let a = try MediaWorker(index: 0, cpu: nil)
        let b = try MediaWorker(index: 1, cpu: nil)
        defer { a.stop(); b.stop() }
        let echoed = Shared(ReceiveTally())

        let echo = try await b.run {
            let socket = try UDPSocket(worker: b, bindingTo: loopbackIPv4)
            try socket.setReceiveBufferSize(1 << 20)
            try socket.startReceiving { bytes, sender in _ = try? socket.send(bytes, to: sender) }
            return socket
        }
        let echoAddress = echo.localAddress
        let sender = try await a.run {
            let socket = try UDPSocket(worker: a, bindingTo: loopbackIPv4)
            try socket.setReceiveBufferSize(1 << 20)
            try socket.startReceiving { bytes, from in
                #expect(from == echoAddress)
                echoed.update { $0.record(bytes, size: size) }
            }
            return socket
        }
        try await a.run {
            let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
            defer { scratch.deallocate() }
            for sequence in 0..<UInt64(count) {
                TestDatagram.fill(scratch, sequence: sequence)
                try sender.send(UnsafeRawBufferPointer(scratch), to: echoAddress)
            }
        }
        _ = await waitUntil { echoed.value.sequences.count == count }
        let tally = echoed.value
        #expect(tally.sequences == Set(0..<UInt64(count)))
        #expect(tally.duplicates == 0 && tally.corrupt == 0)
        let echoStats = try await b.run { echo.statistics }
        #expect(echoStats.datagramsReceived == count)
        #expect(echoStats.datagramsTruncated == 0 && echoStats.receivesWithoutBuffer == 0)
    }

    /// Starts a receiver on `worker` that tallies datagrams of `size` bytes.
    static func receiver(on worker: MediaWorker, size: Int, into tally: Shared<ReceiveTally>) async throws -> UDPSocket
    {
        try await worker.run {
            let socket = try UDPSocket(worker: worker, bindingTo: loopbackIPv4)
            try socket.setReceiveBufferSize(1 << 21)
            try socket.startReceiving { bytes, _ in tally.update { $0.record(bytes, size: size) } }
            return socket
        }
    }

    /// Fills `count` datagrams of `size` bytes in one slab and calls `body` with them.
    static func withDatagrams<Result>(
        count: Int, size: Int, _ body: (UnsafeBufferPointer<UnsafeRawBufferPointer>) throws -> Result
    ) rethrows -> Result {
        let slab = UnsafeMutableRawBufferPointer.allocate(byteCount: count * size, alignment: 8)
        defer { slab.deallocate() }
        let views = (0..<count).map { index in
            let view = UnsafeMutableRawBufferPointer(rebasing: slab[index * size..<(index + 1) * size])
            TestDatagram.fill(view, sequence: UInt64(index))
            return UnsafeRawBufferPointer(view)
        }
        return try views.withUnsafeBufferPointer(body)
    }

    @Test("sendmmsg batches deliver every datagram intact")
    func sendmmsgBatch() async throws {
        let count = 150  // see echoAcrossWorkers
        let size = 1200
        let sending = try MediaWorker(index: 0, cpu: nil)
        let receiving = try MediaWorker(index: 1, cpu: nil)
        defer { sending.stop(); receiving.stop() }
        let tally = Shared(ReceiveTally())
        let target = try await Self.receiver(on: receiving, size: size, into: tally).localAddress

        let sent = try await sending.run {
            let socket = try UDPSocket(worker: sending, bindingTo: loopbackIPv4)
            return try Self.withDatagrams(count: count, size: size) { views in
                let batch = views.map { OutgoingDatagram(bytes: $0, destination: target) }
                let taken = try batch.withUnsafeBufferPointer { try socket.sendBatch($0) }
                return (taken, socket.statistics.datagramsSentBatched)
            }
        }
        #expect(sent.0 == count && sent.1 == count)
        _ = await waitUntil { tally.value.sequences.count == count }
        #expect(tally.value.sequences == Set(0..<UInt64(count)))
        #expect(tally.value.duplicates == 0 && tally.value.corrupt == 0)
        let pool = try await receiving.run { (receiving.receivePool.inUse, receiving.receivePool.highWater) }
        #expect(pool.0 == 0, "every receive buffer returned after the burst")
        #expect(pool.1 >= 1)
    }

    @Test("UDP GSO (or its sendmmsg fallback) delivers every segment as its own intact datagram")
    func segmentedSend() async throws {
        let count = 150  // see echoAcrossWorkers
        let size = 1200
        let sending = try MediaWorker(index: 0, cpu: nil)
        let receiving = try MediaWorker(index: 1, cpu: nil)
        defer { sending.stop(); receiving.stop() }
        let tally = Shared(ReceiveTally())
        let target = try await Self.receiver(on: receiving, size: size, into: tally).localAddress

        let (taken, statistics, offloadAtStart) = try await sending.run {
            let socket = try UDPSocket(worker: sending, bindingTo: loopbackIPv4)
            let offload = socket.segmentationOffloadAvailable
            let taken = try Self.withDatagrams(count: count, size: size) { try socket.sendSegmented($0, to: target) }
            return (taken, socket.statistics, offload)
        }
        #expect(taken == count)
        #expect(statistics.datagramsSentSegmented + statistics.datagramsSentBatched == count)
        if offloadAtStart && statistics.segmentationFallbacks == 0 {
            #expect(statistics.datagramsSentSegmented == count, "GSO was available and used for all")
        }
        _ = await waitUntil { tally.value.sequences.count == count }
        #expect(tally.value.sequences == Set(0..<UInt64(count)))
        #expect(tally.value.duplicates == 0 && tally.value.corrupt == 0)
    }

    /// Linux's UDP GRO (udp(7) `UDP_GRO`, kernel 5.0): a GSO run over loopback reaches a
    /// socket that asked for GRO as one datagram with its segment size in a control message,
    /// instead of being cut into datagrams in the sender's system call.
    @Test("a GSO run arrives coalesced (UDP GRO) and is handed over as its datagrams, in order")
    func coalescedReceive() async throws {
        let size = 1200
        let sending = try MediaWorker(index: 0, cpu: nil)
        let receiving = try MediaWorker(index: 1, cpu: nil)
        defer { sending.stop(); receiving.stop() }
        let arrived = Shared<[(sequence: UInt64?, count: Int)]>([])
        let batches = Shared(0)
        let receiver = try await receiving.run {
            let socket = try UDPSocket(worker: receiving, bindingTo: loopbackIPv4)
            try socket.startReceiving(
                { bytes, _ in
                    let sequence = TestDatagram.check(bytes, expectedSize: bytes.count)
                    arrived.update { $0.append((sequence, bytes.count)) }
                }, batchEnded: { batches.update { $0 += 1 } })
            return socket
        }
        let target = receiver.localAddress
        // 63 full segments and a shorter last one: one UDP_SEGMENT send (64 is the kernel's most).
        let segmentation = try await sending.run {
            let socket = try UDPSocket(worker: sending, bindingTo: loopbackIPv4)
            let slab = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * size, alignment: 8)
            defer { slab.deallocate() }
            let views = (0..<64).map { index in
                let view = UnsafeMutableRawBufferPointer(
                    rebasing: slab[index * size..<(index * size + (index == 63 ? 700 : size))])
                TestDatagram.fill(view, sequence: UInt64(index))
                return UnsafeRawBufferPointer(view)
            }
            let taken = try views.withUnsafeBufferPointer { try socket.sendSegmented($0, to: target) }
            #expect(taken == 64)
            return socket.statistics.datagramsSentSegmented == 64
        }
        _ = await waitUntil { arrived.value.count >= 64 }
        #expect(arrived.value.map(\.sequence) == (0..<64).map { UInt64($0) }, "every datagram intact, in order")
        #expect(arrived.value.map(\.count) == Array(repeating: size, count: 63) + [700])
        #expect(batches.value >= 1)
        let statistics = try await receiving.run { receiver.statistics }
        #expect(statistics.datagramsReceived == 64 && statistics.datagramsTruncated == 0)
        if segmentation && receiver.receiveOffloadEnabled {
            #expect(statistics.datagramsReceivedCoalesced == 64, "the run came as one coalesced datagram")
        }
    }

    @Test("a handler that stops receiving inside a coalesced datagram gets none of the rest")
    func stopInsideCoalescedDatagram() async throws {
        let worker = try MediaWorker(cpu: nil)
        defer { worker.stop() }
        let seen = Shared(0)
        let batches = Shared(0)
        try await worker.run {
            let receiver = try UDPSocket(worker: worker, bindingTo: loopbackIPv4)
            try receiver.startReceiving(
                { _, _ in
                    seen.update { $0 += 1 }
                    if seen.value == 3 { receiver.stopReceiving() }
                }, batchEnded: { batches.update { $0 += 1 } })
            let sender = try UDPSocket(worker: worker, bindingTo: loopbackIPv4)
            let taken = try Self.withDatagrams(count: 10, size: 500) {
                try sender.sendSegmented($0, to: receiver.localAddress)
            }
            #expect(taken == 10)
        }
        _ = await waitUntil(timeout: .milliseconds(500)) { seen.value > 3 }
        #expect(seen.value == 3)
        #expect(batches.value == 0, "no batchEnded for the batch the handler stopped in")
    }

    @Test("with offload disabled, segmented sends fall back to sendmmsg and still deliver everything")
    func segmentedFallback() async throws {
        let count = 130
        let size = 1200
        let sending = try MediaWorker(index: 0, cpu: nil)
        let receiving = try MediaWorker(index: 1, cpu: nil)
        defer { sending.stop(); receiving.stop() }
        let tally = Shared(ReceiveTally())
        let target = try await Self.receiver(on: receiving, size: size, into: tally).localAddress
        let (taken, statistics) = try await sending.run {
            let socket = try UDPSocket(worker: sending, bindingTo: loopbackIPv4)
            socket.disableSegmentationOffload()
            let taken = try Self.withDatagrams(count: count, size: size) { try socket.sendSegmented($0, to: target) }
            return (taken, socket.statistics)
        }
        #expect(taken == count)
        #expect(statistics.datagramsSentBatched == count && statistics.datagramsSentSegmented == 0)
        _ = await waitUntil { tally.value.sequences.count == count }
        #expect(tally.value.sequences == Set(0..<UInt64(count)))
        #expect(tally.value.duplicates == 0 && tally.value.corrupt == 0)
    }

    @Test("GSO refuses segments of mixed sizes (only the last may be shorter)")
    func segmentedSizeRule() async throws {
        let worker = try MediaWorker(cpu: nil)
        defer { worker.stop() }
        let code = try await worker.run { () -> Int32? in
            let socket = try UDPSocket(worker: worker, bindingTo: loopbackIPv4)
            let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 300, alignment: 8)
            defer { bytes.deallocate() }
            let views = [
                UnsafeRawBufferPointer(rebasing: bytes[0..<100]), UnsafeRawBufferPointer(rebasing: bytes[100..<150]),
                UnsafeRawBufferPointer(rebasing: bytes[150..<250]),
            ]
            do {
                _ = try views.withUnsafeBufferPointer { try socket.sendSegmented($0, to: socket.localAddress) }
                return nil
            } catch {
                return (error as? UVError)?.code
            }
        }
        #expect(code == -EINVAL)
    }
}
