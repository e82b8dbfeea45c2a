import CMeshShims
import CNuma

/// Reads CPU affinity and NUMA layout from the kernel (through CMeshShims and libnuma).
public enum CPUTopology {
    /// CPUs in the affinity mask of kernel thread `threadID` (0: the calling thread), ascending.
    public static func affinity(ofThread threadID: Int32 = 0) -> [Int] {
        var cpus = [Int32](repeating: 0, count: 1024)
        let count = CMeshShims_affinityOfThread(threadID, &cpus, Int32(cpus.count))
        guard count > 0 else { return [] }
        return cpus.prefix(min(Int(count), cpus.count)).map(Int.init)
    }

    /// The CPU the calling thread is on right now (sched_getcpu), or nil if the kernel won't say.
    public static func currentCPU() -> Int? {
        let cpu = CMeshShims_currentCPU()
        return cpu >= 0 ? Int(cpu) : nil
    }

    /// The kernel id of the calling thread (gettid).
    public static func currentThreadID() -> Int32 {
        CMeshShims_currentThreadID()
    }

    /// True when libnuma can talk to the kernel's NUMA policy calls.
    public static var numaAvailable: Bool { numa_available() >= 0 }

    /// The CPUs of NUMA node `node`, ascending. Without NUMA support the machine is one node 0
    /// holding every CPU this process may use.
    public static func cpus(ofNUMANode node: Int) throws(WorkerError) -> [Int] {
        guard numaAvailable else {
            guard node == 0 else { throw WorkerError.noSuchNUMANode(node) }
            return affinity()
        }
        guard let mask = numa_allocate_cpumask() else { throw WorkerError.noSuchNUMANode(node) }
        defer { numa_free_cpumask(mask) }
        guard node >= 0, node <= Int(numa_max_node()), numa_node_to_cpus(Int32(node), mask) == 0 else {
            throw WorkerError.noSuchNUMANode(node)
        }
        let possible = Int(numa_num_possible_cpus())
        return (0..<possible).filter { numa_bitmask_isbitset(mask, UInt32($0)) != 0 }
    }

    /// Resolves a placement into the ordered list of CPUs, one per worker.
    public static func cpus(for placement: CPUPlacement) throws(WorkerError) -> [Int] {
        let cpus: [Int]
        switch placement {
        case .cpus(let list): cpus = list
        case .numaNode(let node): cpus = try self.cpus(ofNUMANode: node)
        case .onePerCore: cpus = affinity()
        }
        guard !cpus.isEmpty else { throw WorkerError.noCPUs }
        return cpus
    }
}
