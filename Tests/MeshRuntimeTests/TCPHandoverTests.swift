import MeshRuntime
import Testing

/// A TCP connection moved from one worker to another (`TCPConnection.detach` on the first,
/// `TCPConnection(adopting:worker:)` on the second), as a TURN client over TCP or TLS moves to
/// its session's worker: bytes the client sent while the move ran and bytes the first worker
/// had queued for the client are neither lost nor reordered.
@Suite("TCP connections moved between workers")
struct TCPHandoverTests {
    /// A byte pattern that shows loss or reordering (each position's value depends on it).
    static func pattern(_ count: Int, seed: UInt8) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) ^ seed }
    }

    @Test("adopted on another worker: bytes in flight both ways arrive whole and in order", .timeLimit(.minutes(1)))
    func adoptKeepsBytesInFlight() async throws {
        let first = try MediaWorker(index: 0, cpu: nil)
        let second = try MediaWorker(index: 1, cpu: nil)
        let client = try MediaWorker(index: 2, cpu: nil)
        defer {
            first.stop()
            second.stop()
            client.stop()
        }
        let accepted = Shared<TCPConnection?>(nil)
        let serverReceived = Shared([UInt8]())
        let address = try await first.run {
            let listener = try TCPListener(worker: first, bindingTo: loopbackIPv4) { connection in
                try? connection.startReading(
                    onRead: { bytes in serverReceived.update { $0 += bytes } }, onEnd: { _ in })
                accepted.update { $0 = connection }
            }
            return listener.localAddress
        }
        let clientReceived = Shared([UInt8]())
        let before = Self.pattern(64 * 1024, seed: 1)
        // More than the kernel buffers between the two ends (tcp_rmem + tcp_wmem at most ~10 MiB
        // on Debian's defaults), while the client does not read: part of it must wait in the
        // first worker's queue when the move starts.
        let toClient = Self.pattern(24 << 20, seed: 2)
        let during = Self.pattern(1 << 20, seed: 3)
        let after = Self.pattern(32 * 1024, seed: 4)
        let connection = try await client.run {
            let connection = try TCPConnection.connect(on: client, to: address) { _ in }
            try before.withUnsafeBytes { try connection.write($0) }
            return connection
        }
        #expect(await waitUntil { serverReceived.value.count == before.count })
        let onFirst = try #require(accepted.value)

        // The client keeps writing meanwhile, to a socket nobody reads until the move is done.
        try await client.run { try during.withUnsafeBytes { try connection.write($0) } }
        let moved = Shared<Result<TCPSocketDescriptor, UVError>?>(nil)
        let queuedAtDetach = try await first.run {
            try toClient.withUnsafeBytes { try onFirst.write($0) }
            let queued = onFirst.queuedWriteBytes
            onFirst.detach { result in moved.update { $0 = result } }
            return queued
        }
        #expect(queuedAtDetach > 0, "the move waits for queued writes")
        // Only now does the client read, so the queue drains and the move goes on.
        try await client.run {
            try connection.startReading(onRead: { bytes in clientReceived.update { $0 += bytes } }, onEnd: { _ in })
        }
        #expect(await waitUntil(timeout: .seconds(20)) { moved.value != nil })
        let descriptor = try #require(try moved.value?.get())
        #expect(try await first.run { onFirst.peerAddress } == nil, "the first worker's handle is closed")

        let onSecond = try await second.run {
            let adopted = try TCPConnection(adopting: descriptor, worker: second)
            try adopted.startReading(onRead: { bytes in serverReceived.update { $0 += bytes } }, onEnd: { _ in })
            try after.withUnsafeBytes { try adopted.write($0) }
            return adopted
        }
        let expectedByClient = toClient + after
        let expectedByServer = before + during
        #expect(await waitUntil(timeout: .seconds(20)) { clientReceived.value.count >= expectedByClient.count })
        #expect(await waitUntil(timeout: .seconds(20)) { serverReceived.value.count >= expectedByServer.count })
        #expect(clientReceived.value == expectedByClient)
        #expect(serverReceived.value == expectedByServer)
        let clientAddress = try await client.run { connection.peerAddress }
        #expect(clientAddress == address)
        #expect(try await second.run { onSecond.peerAddress } != nil)
        try await second.run { onSecond.close() }
        try await client.run { connection.close() }
    }
}
