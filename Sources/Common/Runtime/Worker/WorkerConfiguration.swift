/// Which CPUs a worker group runs on.
public enum CPUPlacement: Sendable, Equatable {
    /// One worker per listed CPU, pinned to it, in list order (topology `cpus:`).
    case cpus([Int])
    /// One worker per CPU of this NUMA node (topology `numa:`).
    case numaNode(Int)
    /// One worker per CPU this process may run on, pinned in ascending order (the default).
    case onePerCore
}

/// Sizes of what each worker preallocates.
///
/// - `packetBufferSize`, `packetBufferCount`: the packet pool (default 2048 × 4096 = 8 MiB).
/// - `receiveBatchSize`: datagrams per `recvmmsg` call (1...20), each read into its own 64 KiB
///   slot of a receive buffer (a UDP GRO datagram can be that large).
/// - `receiveBufferCount`: receive-batch buffers (a read uses one and gives it back before the
///   next one, so a few suffice for every socket of the worker).
/// - `jobInboxCapacity`: pending `run {}` closures before `run` reports ``WorkerError/inboxFull``.
public struct WorkerSettings: Sendable, Equatable {
    public var packetBufferSize = 2048
    public var packetBufferCount = 4096
    public var receiveBatchSize = 8
    public var receiveBufferCount = 4
    public var jobInboxCapacity = 4096

    /// The defaults listed above.
    public init() {}
}

/// Everything a ``WorkerGroup`` needs: where its workers run and what each preallocates.
public struct WorkerGroupConfiguration: Sendable, Equatable {
    /// Which CPUs get a worker (default: one per core).
    public var placement: CPUPlacement
    /// Per-worker buffer and queue sizes.
    public var settings: WorkerSettings

    /// Creates a configuration; both parts have defaults.
    public init(placement: CPUPlacement = .onePerCore, settings: WorkerSettings = WorkerSettings()) {
        self.placement = placement
        self.settings = settings
    }
}
