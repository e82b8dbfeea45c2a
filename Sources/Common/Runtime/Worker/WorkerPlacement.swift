import CMeshShims
import CNuma

/// What happened when a worker tried to pin its thread.
public enum CPUPinning: Sendable, Equatable {
    /// No CPU was configured; the thread floats.
    case notRequested
    /// The thread is pinned to this CPU.
    case pinned(cpu: Int)
    /// pthread_setaffinity_np refused (errno), e.g. the CPU is offline or outside the cgroup.
    case failed(cpu: Int, errno: Int32)

    /// The CPU the thread is pinned to, if pinning succeeded.
    public var pinnedCPU: Int? {
        if case .pinned(let cpu) = self { cpu } else { nil }
    }
}

/// What happened when a worker tried to keep its memory on its CPU's NUMA node.
public enum NUMABinding: Sendable, Equatable {
    /// libnuma reports no NUMA support (numa_available() < 0): nothing was done.
    case unavailable
    /// The worker is not pinned, so there is no node to prefer.
    case notPinned
    /// libnuma does not know the node of this CPU.
    case unknownNode(cpu: Int)
    /// The thread's allocations prefer this node (numa_set_preferred).
    case preferred(node: Int)

    /// Prefers the NUMA node of `cpu` for the calling thread's allocations.
    ///
    /// Preferred rather than strictly bound: under memory pressure the kernel may still
    /// allocate elsewhere instead of failing, which a media worker survives better.
    static func preferNode(ofCPU cpu: Int?) -> NUMABinding {
        guard numa_available() >= 0 else { return .unavailable }
        guard let cpu else { return .notPinned }
        let node = numa_node_of_cpu(Int32(cpu))
        guard node >= 0 else { return .unknownNode(cpu: cpu) }
        numa_set_preferred(node)
        return .preferred(node: Int(node))
    }
}

/// Where a worker's thread ended up, as read back from the kernel once the thread started.
public struct WorkerPlacement: Sendable, Equatable {
    /// The worker thread's kernel id (its entry under /proc/self/task).
    public let threadID: Int32
    /// The CPU the configuration asked for.
    public let configuredCPU: Int?
    /// The outcome of pinning.
    public let pinning: CPUPinning
    /// The thread's affinity mask after pinning, read back with sched_getaffinity.
    public let affinity: [Int]
    /// The outcome of the NUMA memory policy.
    public let numa: NUMABinding
}
