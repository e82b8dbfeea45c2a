/// How many media workers a node runs and where they are pinned.
///
/// Written in a topology as `workers: 2`, `workers: {cpus: [0, 1]}` or `workers: {numa: 0}`
/// (optionally with `count`); without `workers` a node runs one worker per core, pinned in order.
public struct WorkerPlan: Sendable, Equatable {
    /// The number of workers; `nil` means one per CPU available to the pinning.
    public var count: Int?
    /// Which CPUs the workers are pinned to.
    public var pinning: CPUPinning

    /// Creates a plan.
    public init(count: Int?, pinning: CPUPinning) {
        self.count = count
        self.pinning = pinning
    }

    /// One worker per core, pinned in order: what a node does when the topology says nothing.
    public static let perCore = WorkerPlan(count: nil, pinning: .inOrder)
}

/// Where media worker threads run.
public enum CPUPinning: Sendable, Equatable {
    /// Worker *n* is pinned to the *n*-th CPU the process may use.
    case inOrder
    /// Worker *n* is pinned to the *n*-th CPU of this list.
    case cpus([Int])
    /// Workers are pinned to the CPUs of this NUMA node and allocate memory there.
    case numaNode(Int)
}
