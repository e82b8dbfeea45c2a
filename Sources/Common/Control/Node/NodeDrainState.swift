import Synchronization

/// Whether the node was asked to stop and is draining: readiness (`/ready`, `/health/ready`)
/// fails from the moment it is set, so load balancers and orchestrators send no one new, while
/// the sessions already here and every other route keep working until the node exits.
/// Set once by the node's drain service (MeshCascade), read by the routes.
public final class NodeDrainState: Sendable {
    private let draining = Atomic<Bool>(false)
    private let observers = Mutex<[@Sendable () -> Void]>([])

    /// A node that is not draining.
    public init() {}

    /// Whether the node is draining.
    public var isDraining: Bool { draining.load(ordering: .acquiring) }

    /// Marks the node draining; there is no way back but a restart. Observers hear it once.
    public func beginDraining() {
        guard !draining.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for observer in observers.withLock({ $0 }) { observer() }
    }

    /// Calls `observer` when the node begins draining (the `node.draining` webhook).
    public func observe(_ observer: @escaping @Sendable () -> Void) {
        observers.withLock { $0.append(observer) }
    }
}
