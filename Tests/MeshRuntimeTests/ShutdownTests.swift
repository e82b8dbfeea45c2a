import CLibUV
import MeshRuntime
import Testing

@Suite("Shutdown")
struct ShutdownTests {
    @Test("stopping a busy group closes every handle, closes the loops and leaves no threads")
    func cleanShutdown() async throws {
        let group = try WorkerGroup(configuration: WorkerGroupConfiguration(placement: .cpus(CPUTopology.affinity())))
        let threadIDs = group.workers.map(\.placement.threadID)
        let running = processThreadIDs()
        #expect(threadIDs.allSatisfy { running.contains($0) })

        // A foreign handle made with raw libuv: shutdown must find it with uv_walk.
        let foreignTimer = UnsafeMutablePointer<uv_timer_t>.allocate(capacity: 1)
        defer { foreignTimer.deallocate() }
        let first = try #require(group.workers.first)
        let timerAddress = Int(bitPattern: foreignTimer)
        try await first.run {
            guard let foreignTimer = UnsafeMutablePointer<uv_timer_t>(bitPattern: timerAddress) else { return }
            _ = first.withLoop { uv_timer_init($0, foreignTimer) }
            _ = uv_timer_start(foreignTimer, { _ in }, 60_000, 0)
        }
        for worker in group.workers {
            try await worker.run {
                let socket = try UDPSocket(worker: worker, bindingTo: loopbackIPv4)
                try socket.startReceiving { _, _ in }
                try worker.makeInbox(of: Int.self, capacity: 16) { _ in }.send(1)
                try WorkerTimer(worker: worker).start(afterMilliseconds: 1, repeatingEvery: 1) {}
                _ = try TCPListener(worker: worker, bindingTo: loopbackIPv4) { _ in }
                // Queued but never awaited: shutdown must still settle it.
                _ = worker.post {}
            }
        }

        group.stop()

        let after = processThreadIDs()
        #expect(threadIDs.allSatisfy { !after.contains($0) }, "worker threads are gone from /proc/self/task")
        for worker in group.workers {
            let report = try #require(worker.shutdownReport)
            #expect(report.loopCloseStatus == 0, "uv_loop_close succeeded")
            #expect(report.receiveBuffersInUse == 0 && report.packetBuffersInUse == 0)
        }
        #expect(first.shutdownReport?.foreignHandlesClosed == 1)
        group.stop()  // idempotent
    }

    @Test("a run {} racing with two stops either completes or fails with stopped, never hangs")
    func runRacingStop() async throws {
        let worker = try MediaWorker(cpu: nil)
        let outcomes = Shared((done: 0, stopped: 0))
        await withTaskGroup(of: Void.self) { tasks in
            for _ in 0..<50 {
                tasks.addTask {
                    do {
                        _ = try await worker.run { 1 }
                        outcomes.update { $0.done += 1 }
                    } catch {
                        if error as? WorkerError == .stopped { outcomes.update { $0.stopped += 1 } }
                    }
                }
            }
            tasks.addTask { worker.stop() }
            tasks.addTask { worker.stop() }
        }
        #expect(outcomes.value.done + outcomes.value.stopped == 50)
        #expect(worker.shutdownReport?.loopCloseStatus == 0)
    }
}
