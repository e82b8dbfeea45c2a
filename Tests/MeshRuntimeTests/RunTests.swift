import MeshRuntime
import Testing

private struct Refusal: Error, Equatable { let reason: String }

@Suite("MediaWorker.run")
struct RunTests {
    @Test("returns the closure's value, computed on the worker's thread")
    func returnsValues() async throws {
        let worker = try MediaWorker(cpu: nil)
        defer { worker.stop() }
        #expect(try await worker.run { 6 * 7 } == 42)
        #expect(try await worker.run { worker.isCurrentThread })
        #expect(!worker.isCurrentThread)
        #expect(try await worker.run { "loop \(worker.index)" } == "loop 0")
    }

    @Test("propagates the closure's error")
    func propagatesErrors() async throws {
        let worker = try MediaWorker(cpu: nil)
        defer { worker.stop() }
        await #expect(throws: Refusal(reason: "no")) {
            try await worker.run { () throws -> Int in throw Refusal(reason: "no") }
        }
        // The worker is still serving after a thrown error.
        #expect(try await worker.run { 1 } == 1)
    }

    @Test("after stop, run throws WorkerError.stopped and post refuses")
    func stoppedWorker() async throws {
        let worker = try MediaWorker(cpu: nil)
        worker.stop()
        await #expect(throws: WorkerError.stopped) { try await worker.run { 1 } }
        #expect(!worker.post {})
    }

    @Test("post runs work in order without waiting")
    func postInOrder() async throws {
        let worker = try MediaWorker(cpu: nil)
        defer { worker.stop() }
        let seen = Shared([Int]())
        for value in 0..<100 { #expect(worker.post { seen.update { $0.append(value) } }) }
        _ = await waitUntil { seen.value.count == 100 }
        #expect(seen.value == Array(0..<100))
    }
}
