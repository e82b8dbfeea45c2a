import MeshRuntime
import Testing

@Suite("Timers and TCP")
struct HandleTests {
    @Test("a one-shot timer fires once; a repeating one fires until stopped")
    func timers() async throws {
        let worker = try MediaWorker(cpu: nil)
        defer { worker.stop() }
        let fired = Shared((once: 0, repeating: 0))
        try await worker.run {
            let once = try WorkerTimer(worker: worker)
            try once.start(afterMilliseconds: 1) { fired.update { $0.once += 1 } }
            let repeating = try WorkerTimer(worker: worker)
            try repeating.start(afterMilliseconds: 1, repeatingEvery: 1) {
                let count = fired.update {
                    $0.repeating += 1; return $0.repeating
                }
                if count == 5 { repeating.close() }
            }
        }
        _ = await waitUntil { fired.value.repeating >= 5 && fired.value.once >= 1 }
        // A round trip through the loop after the fifth tick: no sixth tick can be pending.
        let open = try await worker.run { worker.openHandleCount }
        #expect(fired.value.once == 1)
        #expect(fired.value.repeating == 5)
        #expect(open == 2, "job inbox and the one-shot timer; the repeating one closed itself")
    }

    @Test("TCP: a listener on one worker echoes what a connection from another worker writes")
    func tcpEcho() async throws {
        let server = try MediaWorker(index: 0, cpu: nil)
        let client = try MediaWorker(index: 1, cpu: nil)
        defer { server.stop(); client.stop() }
        let listenAddress = try await server.run {
            let listener = try TCPListener(worker: server, bindingTo: loopbackIPv4) { connection in
                try? connection.startReading(
                    onRead: { bytes in try? connection.write(bytes) },
                    onEnd: { _ in connection.close() })
            }
            return listener.localAddress
        }
        #expect(listenAddress.port != 0)
        let message = Array("meshcast worker tcp echo".utf8)
        let echoed = Shared([UInt8]())
        let connectResult = Shared<UVError??>(.none)
        try await client.run {
            let connection = try TCPConnection.connect(on: client, to: listenAddress) { error in
                connectResult.update { $0 = .some(error) }
            }
            try connection.startReading(onRead: { bytes in echoed.update { $0 += bytes } }, onEnd: { _ in })
            try message.withUnsafeBytes { try connection.write($0) }
        }
        _ = await waitUntil { echoed.value.count >= message.count }
        #expect(connectResult.value == .some(nil))
        #expect(echoed.value == message)
        let buffers = try await server.run { server.packetPool.inUse }
        #expect(buffers == 0, "read buffers went back to the pool")
    }
}
