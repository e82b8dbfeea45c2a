import MeshRuntime
import Testing

@Suite("Worker placement")
struct WorkerPlacementTests {
    @Test("a worker pinned to CPU k runs on k, and the kernel's affinity for its thread is {k}")
    func pinnedWorker() async throws {
        let allowed = CPUTopology.affinity()
        let cpu = try #require(allowed.last)
        let worker = try MediaWorker(cpu: cpu)
        defer { worker.stop() }

        #expect(worker.placement.pinning == .pinned(cpu: cpu))
        #expect(worker.placement.configuredCPU == cpu)
        #expect(worker.placement.affinity == [cpu])
        let (runningOn, threadID) = try await worker.run { (CPUTopology.currentCPU(), CPUTopology.currentThreadID()) }
        #expect(runningOn == cpu)
        #expect(threadID == worker.placement.threadID)
        // Read back from the kernel two ways: procfs and sched_getaffinity on the tid.
        #expect(allowedCPUsFromProc(threadID: threadID) == [cpu])
        #expect(CPUTopology.affinity(ofThread: threadID) == [cpu])
        // The test's own thread keeps the process-wide mask: only the worker was pinned.
        #expect(CPUTopology.affinity() == allowed)
    }

    @Test("the NUMA status matches what libnuma reports for this machine")
    func numaStatus() throws {
        let cpu = try #require(CPUTopology.affinity().first)
        let worker = try MediaWorker(cpu: cpu)
        defer { worker.stop() }
        if CPUTopology.numaAvailable {
            guard case .preferred(let node) = worker.placement.numa else {
                Issue.record("expected a preferred node, got \(worker.placement.numa)")
                return
            }
            #expect(try CPUTopology.cpus(ofNUMANode: node).contains(cpu))
        } else {
            #expect(worker.placement.numa == .unavailable)
        }
    }

    @Test("an unpinned worker floats over the process's CPUs")
    func unpinned() throws {
        let worker = try MediaWorker(cpu: nil)
        defer { worker.stop() }
        #expect(worker.placement.pinning == .notRequested)
        #expect(worker.placement.affinity == CPUTopology.affinity())
        #expect(worker.placement.numa == .notPinned || worker.placement.numa == .unavailable)
    }

    @Test("placements resolve: explicit list in order, node 0, one per core; unknown node fails")
    func placements() throws {
        let allowed = CPUTopology.affinity()
        let first = try #require(allowed.first)
        #expect(try CPUTopology.cpus(for: .cpus([first, first])) == [first, first])
        #expect(try CPUTopology.cpus(for: .onePerCore) == allowed)
        #expect(try !CPUTopology.cpus(for: .numaNode(0)).isEmpty)
        #expect(throws: WorkerError.noSuchNUMANode(4096)) { try CPUTopology.cpus(for: .numaNode(4096)) }
        #expect(throws: WorkerError.noCPUs) { try CPUTopology.cpus(for: .cpus([])) }
    }

    @Test("a group starts one worker per configured CPU, each pinned where asked")
    func groupPinning() async throws {
        let allowed = CPUTopology.affinity()
        let cpus = Array(allowed.reversed().prefix(2))
        let group = try WorkerGroup(configuration: WorkerGroupConfiguration(placement: .cpus(cpus)))
        defer { group.stop() }
        #expect(group.workers.count == cpus.count)
        for (worker, cpu) in zip(group.workers, cpus) {
            #expect(worker.placement.pinning == .pinned(cpu: cpu))
            #expect(try await worker.run { CPUTopology.currentCPU() } == cpu)
        }
    }
}
