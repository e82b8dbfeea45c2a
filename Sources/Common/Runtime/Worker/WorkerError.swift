/// Failures of workers and worker groups that are not libuv status codes.
public enum WorkerError: Error, Sendable, Equatable {
    /// The worker is stopping or stopped and takes no more work.
    case stopped
    /// The worker's job inbox is full; the caller may retry.
    case inboxFull
    /// The worker's loop could not start.
    case startFailed(UVError)
    /// pthread_create failed with this errno.
    case threadCreationFailed(Int32)
    /// The configuration names a NUMA node this machine does not have.
    case noSuchNUMANode(Int)
    /// The configuration resolves to no CPU at all.
    case noCPUs
}
