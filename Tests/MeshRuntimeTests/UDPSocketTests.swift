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
