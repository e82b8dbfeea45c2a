import Logging
import MeshCascade
import MeshRuntime
import MeshTURN
import MeshWire
import Synchronization
import Testing

/// `TURNStreamListener` on a real worker and loopback TCP (RFC 8656 §3.1): frames that arrive
/// in one read are answered in order over the connection (a Binding is answered without
/// credentials, with the client's TCP address), ChannelData without an allocation is dropped,
/// and bytes that are neither STUN nor ChannelData close the connection.
@Suite struct TURNStreamListenerTests {
    /// Bytes and the end a test connection saw, from the client worker's thread.
    final class Received: Sendable {
        let bytes = Mutex<[UInt8]>([])
        let ended = Atomic<Bool>(false)
    }

    static func binding(_ id: UInt8) -> [UInt8] {
        // RFC 8489 §6: Binding request, no attributes, magic cookie, a 12-byte transaction id.
        [0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42] + [UInt8](repeating: id, count: 12)
    }

    /// How many whole STUN messages `bytes` starts with.
    static func completeMessages(in bytes: [UInt8]) -> Int {
        var offset = 0
        var count = 0
        while let length = bytes[offset...].withUnsafeBytes({ STUNMessage.framedLength(of: $0) }),
            offset + length <= bytes.count
        {
            offset += length
            count += 1
        }
        return count
    }

    static func waitFor(_ condition: () -> Bool) async {
        for _ in 0..<1000 where !condition() { try? await Task.sleep(for: .milliseconds(10)) }
    }

    /// An open relay on `server` with a TCP listener on loopback, and the listener's address.
    static func relayWithTCPListener(on server: MediaWorker) async throws -> (TURNRelay, SocketAddress) {
        let turn = TURNServer(
            secrets: [TURNSecret("stream-test")], policy: .open(OpenRelayRules()),
            relayPorts: TURNRelayPorts(ipv4: .v4(0x7F00_0001), range: 50000...50001))
        return try await server.run {
            let relay = TURNRelay(
                loop: server, server: turn, listen: nil, relayBindHost: nil, logger: Logger(label: "turn-stream-test"))
            try relay.start()
            let listener = try TURNStreamListener(
                worker: server, relay: relay, bindingTo: SocketAddress(ipv4: 0x7F00_0001, port: 0), certificate: nil)
            relay.add(listener)
            return (relay, listener.localAddress)
        }
    }

    /// A connection from `client` to `address` that writes `stream` in one write and collects
    /// what it reads, and its end, into `received`.
    static func connect(
        on client: MediaWorker, to address: SocketAddress, writing stream: [UInt8], into received: Received
    ) async throws -> TCPConnection {
        try await client.run {
            let connection = try TCPConnection.connect(on: client, to: address) { _ in }
            try connection.startReading(
                onRead: { bytes in received.bytes.withLock { $0 += bytes } },
                onEnd: { _ in received.ended.store(true, ordering: .releasing) })
            try stream.withUnsafeBytes { try connection.write($0) }
            return connection
        }
    }

    /// What a test works with: an open relay with a TCP listener on `server`, and a connection
    /// to the listener from `client`.
    struct Session {
        let server: MediaWorker
        let client: MediaWorker
        let relay: TURNRelay
        let listener: SocketAddress
        let connection: TCPConnection
        let received: Received
    }

    /// Runs `body` with a session whose connection wrote `stream`; then closes the connection
    /// and stops the relay and both workers.
    static func withSession(writing stream: [UInt8], _ body: (Session) async throws -> Void) async throws {
        let server = try MediaWorker(index: 0, cpu: nil)
        let client = try MediaWorker(index: 1, cpu: nil)
        defer {
            server.stop()
            client.stop()
        }
        let (relay, listener) = try await relayWithTCPListener(on: server)
        let received = Received()
        let connection = try await connect(on: client, to: listener, writing: stream, into: received)
        try await body(
            Session(
                server: server, client: client, relay: relay, listener: listener, connection: connection,
                received: received))
        try await client.run { connection.close() }
        try await server.run { relay.stop() }
    }

    @Test(.timeLimit(.minutes(1)))
    func answersFramesInOrderAndClosesOnGarbage() async throws {
        // Two Bindings around ChannelData padded to 4 bytes (RFC 8656 §12.5), in one write.
        let stream = Self.binding(1) + [0x40, 0x00, 0x00, 0x01, 0xAA, 0, 0, 0] + Self.binding(2)
        try await Self.withSession(writing: stream) { session async throws in
            let (server, client, relay, received) = (session.server, session.client, session.relay, session.received)
            // Each answer: a 20-byte header, XOR-MAPPED-ADDRESS (12 bytes) and SOFTWARE.
            await Self.waitFor { received.bytes.withLock { Self.completeMessages(in: $0) } >= 2 }
            var answers = received.bytes.withLock { $0 }
            var clientPort: UInt16?
            for id in [UInt8(1), 2] {
                let length = try #require(answers.withUnsafeBytes { STUNMessage.framedLength(of: $0) })
                let frame = Array(answers.prefix(length))
                answers.removeFirst(min(length, answers.count))
                let message = try frame.withUnsafeBytes { try STUNMessage(parsing: $0) }
                #expect(message.type == .bindingSuccess)
                let high = UInt32(id) * 0x0101_0101
                #expect(message.transactionID == STUNTransactionID(high: high, low: UInt64(high) << 32 | UInt64(high)))
                let mapped = try #require(try message.xorAddress())
                #expect(mapped.ip == .v4(0x7F00_0001))
                clientPort = mapped.port
            }
            #expect(answers.isEmpty, "nothing answered the ChannelData")
            #expect(clientPort != nil && clientPort != session.listener.port)
            #expect(try await server.run { relay.streamClientCount } == 1)
            #expect(try await server.run { relay.counters.drops[.noAllocation] } == 1)

            // First bits 0b11: not TURN (RFC 8656 §12); the stream cannot be resynchronised.
            try await client.run { try [UInt8]([0xC0, 0, 0, 0]).withUnsafeBytes { try session.connection.write($0) } }
            await Self.waitFor { received.ended.load(ordering: .acquiring) }
            let ended = received.ended.load(ordering: .acquiring)
            #expect(ended)
            #expect(try await server.run { relay.streamClientCount } == 0)
        }
    }

    /// A stream client gets no retransmission (RFC 8489 §6.2.2), so one without an allocation
    /// whose unauthenticated request the per-source limit drops is closed at once (here the
    /// 11th Binding in a second; the limit is 10) instead of waiting for the 30 s idle close.
    @Test(.timeLimit(.minutes(1)))
    func closesAClientTheChallengeLimitDrops() async throws {
        let stream = (1...12).flatMap { Self.binding(UInt8($0)) }
        try await Self.withSession(writing: stream) { session async throws in
            let (server, relay, received) = (session.server, session.relay, session.received)
            await Self.waitFor { received.ended.load(ordering: .acquiring) }
            let ended = received.ended.load(ordering: .acquiring)
            #expect(ended, "the connection was closed")
            #expect(received.bytes.withLock { Self.completeMessages(in: $0) } == 10)
            #expect(try await server.run { relay.counters.drops[.challengeRateLimited] } == 1)
            #expect(try await server.run { relay.streamClientCount } == 0)
        }
    }
}
