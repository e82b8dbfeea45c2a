import Glibc
import MeshRuntime
import Testing

/// One-byte payloads, so tests can name datagrams by number.
private func send(_ values: [UInt8], from socket: any DatagramSocket, to target: SocketAddress) throws {
    for value in values {
        try [value].withUnsafeBytes { _ = try socket.send($0, to: target) }
    }
}

/// A socket that records the first byte of each datagram and "end" after each batch.
private func recorder(
    _ socket: any DatagramSocket, named name: String, into log: Shared<[String]>,
    from expected: SocketAddress? = nil
) throws {
    try socket.startReceiving(
        { bytes, from in
            if let expected { #expect(from == expected) }
            log.update { $0.append("\(name)\(bytes.first ?? 0)") }
        },
        batchEnded: { log.update { $0.append("\(name)-end") } })
}

@Suite("Embedded runtime: network")
struct EmbeddedNetworkTests {
    @Test("datagrams move only on runUntilIdle, one batch per receiver, each followed by batchEnded")
    func deliveryInBatches() async throws {
        let runtime = EmbeddedRuntime()
        let loops = [runtime.makeLoop(), runtime.makeLoop()]
        let client = try runtime.network.openSocket(bindingTo: SocketAddress(ipv4: "127.0.0.1", port: 0))
        let clientAddress = client.localAddress
        let log = Shared<[String]>([])
        var targets: [SocketAddress] = []
        for (loop, name) in zip(loops, ["a", "b"]) {
            let target = try await loop.run {
                let socket = try loop.openDatagramSocket(bindingTo: SocketAddress(ipv4: "10.0.0.1", port: 0))
                try recorder(socket, named: name, into: log, from: clientAddress)
                return socket.localAddress
            }
            targets.append(target)
        }
        #expect(clientAddress.port == EmbeddedNetwork.firstEphemeralPort)
        #expect(
            targets.map(\.port) == [EmbeddedNetwork.firstEphemeralPort + 1, EmbeddedNetwork.firstEphemeralPort + 2])

        try send([1], from: client, to: targets[0])
        try send([1], from: client, to: targets[1])
        try send([2], from: client, to: targets[0])
        try send([2], from: client, to: targets[1])
        try send([3], from: client, to: targets[0])
        #expect(log.value.isEmpty, "nothing arrives before the driver delivers")
        #expect(runtime.network.inFlight.map(\.sequence) == [0, 1, 2, 3, 4])

        try runtime.runUntilIdle()
        #expect(log.value == ["a1", "a2", "a3", "a-end", "b1", "b2", "b-end"])
        #expect(runtime.network.inFlight.isEmpty)
        var expected = EmbeddedTrafficCounters()
        expected.sent = 3
        expected.delivered = 3
        #expect(runtime.network.counters(to: targets[0]) == expected)
    }

    @Test("a loop's socket answers a fake client within one runUntilIdle")
    func echo() throws {
        let runtime = EmbeddedRuntime()
        let loop = runtime.makeLoop()
        let server = try loop.openDatagramSocket(bindingTo: SocketAddress(ipv4: "10.0.0.1", port: 5000))
        try server.startReceiving({ bytes, from in _ = try? server.send(bytes, to: from) }, batchEnded: nil)
        let client = try runtime.network.openSocket(bindingTo: SocketAddress(ipv4: "10.0.0.2", port: 6000))
        let log = Shared<[String]>([])
        try recorder(client, named: "c", into: log, from: server.localAddress)
        try send([7, 8], from: client, to: server.localAddress)
        try runtime.runUntilIdle()
        #expect(log.value == ["c7", "c8", "c-end"])
    }

    @Test("the filter drops and holds; held datagrams can be reordered and released")
    func dropHoldRelease() throws {
        let runtime = EmbeddedRuntime()
        let network = runtime.network
        let receiver = try network.openSocket(bindingTo: SocketAddress(ipv4: "10.0.0.1", port: 5000))
        let sender = try network.openSocket(bindingTo: SocketAddress(ipv4: "10.0.0.2", port: 5000))
        let log = Shared<[String]>([])
        try recorder(receiver, named: "r", into: log)
        network.filter = { datagram in
            switch datagram.bytes.first {
            case 2: .drop
            case 3, 4, 5: .hold
            default: .deliver
            }
        }
        try send([1, 2, 3, 4, 5], from: sender, to: receiver.localAddress)
        #expect(network.inFlight.map(\.bytes) == [[1]])
        #expect(network.held.map(\.bytes) == [[3], [4], [5]])
        try runtime.runUntilIdle()
        #expect(log.value == ["r1", "r-end"])

        network.held.reverse()
        network.release()
        try runtime.runUntilIdle()
        #expect(log.value == ["r1", "r-end", "r5", "r4", "r3", "r-end"])
        var expected = EmbeddedTrafficCounters()
        expected.sent = 5
        expected.dropped = 1
        expected.held = 3
        expected.delivered = 4
        #expect(network.counters(to: receiver.localAddress) == expected)
        #expect(network.totals == expected)
    }

    @Test("a test may reorder or inject datagrams in flight")
    func reorderInFlight() throws {
        let runtime = EmbeddedRuntime()
        let network = runtime.network
        let receiver = try network.openSocket(bindingTo: SocketAddress(ipv4: "10.0.0.1", port: 5000))
        let sender = try network.openSocket(bindingTo: SocketAddress(ipv4: "10.0.0.2", port: 5000))
        let log = Shared<[String]>([])
        try recorder(receiver, named: "r", into: log)
        try send([1, 2, 3], from: sender, to: receiver.localAddress)
        network.inFlight.reverse()
        network.inFlight.append(
            EmbeddedDatagram(
                source: sender.localAddress, destination: receiver.localAddress, bytes: [9], sequence: 99))
        try runtime.runUntilIdle()
        #expect(log.value == ["r3", "r2", "r1", "r9", "r-end"])
    }

    @Test("datagrams to an address nobody bound are counted and dropped")
    func unboundDestination() throws {
        let runtime = EmbeddedRuntime()
        let sender = try runtime.network.openSocket(bindingTo: SocketAddress(ipv4: "10.0.0.2", port: 5000))
        let nowhere = try SocketAddress(ipv4: "10.9.9.9", port: 9)
        try send([1, 2], from: sender, to: nowhere)
        try runtime.runUntilIdle()
        #expect(runtime.network.inFlight.isEmpty)
        #expect(runtime.network.counters(to: nowhere).undeliverable == 2)
        #expect(runtime.network.totals.undeliverable == 2 && runtime.network.totals.delivered == 0)
    }

    @Test("a socket not receiving yet keeps its datagrams in flight until it starts")
    func notReceivingYet() throws {
        let runtime = EmbeddedRuntime()
        let receiver = try runtime.network.openSocket(bindingTo: SocketAddress(ipv4: "10.0.0.1", port: 5000))
        let sender = try runtime.network.openSocket(bindingTo: SocketAddress(ipv4: "10.0.0.2", port: 5000))
        try send([1], from: sender, to: receiver.localAddress)
        try runtime.runUntilIdle()
        #expect(runtime.network.inFlight.count == 1)
        let log = Shared<[String]>([])
        try recorder(receiver, named: "r", into: log)
        try runtime.runUntilIdle()
        #expect(log.value == ["r1", "r-end"])
    }

    @Test("binding: an address in use is refused, close frees it, and the any-address receives for its port")
    func binding() throws {
        let runtime = EmbeddedRuntime()
        let network = runtime.network
        let address = try SocketAddress(ipv4: "10.0.0.1", port: 5000)
        let socket = try network.openSocket(bindingTo: address)
        #expect(throws: UVError(code: -EADDRINUSE, operation: "embedded bind")) {
            try network.openSocket(bindingTo: address)
        }
        socket.close()
        #expect(throws: UVError(code: -EBADF, operation: "uv_udp_try_send")) {
            try send([1], from: socket, to: address)
        }
        let reopened = try network.openSocket(bindingTo: address)
        let wildcard = try network.openSocket(bindingTo: SocketAddress(ipv4: "0.0.0.0", port: 7000))
        let log = Shared<[String]>([])
        try recorder(wildcard, named: "w", into: log)
        try send([4], from: reopened, to: SocketAddress(ipv4: "10.0.0.7", port: 7000))
        try runtime.runUntilIdle()
        #expect(log.value == ["w4", "w-end"])
    }

    @Test("a runtime that never settles throws instead of spinning")
    func neverSettles() throws {
        let runtime = EmbeddedRuntime(passLimit: 50)
        let loop = runtime.makeLoop()
        let left = try loop.openDatagramSocket(bindingTo: SocketAddress(ipv4: "10.0.0.1", port: 1))
        let right = try loop.openDatagramSocket(bindingTo: SocketAddress(ipv4: "10.0.0.2", port: 2))
        for socket in [left, right] {
            try socket.startReceiving({ bytes, from in _ = try? socket.send(bytes, to: from) }, batchEnded: nil)
        }
        try send([1], from: left, to: right.localAddress)
        #expect {
            try runtime.runUntilIdle()
        } throws: { error in
            guard case .didNotSettle(let passes, _) = error as? EmbeddedRuntimeError else { return false }
            return passes == 50
        }
    }
}
