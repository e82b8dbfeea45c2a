import Synchronization

/// Whether the node was asked to stop and is draining: readiness (`/ready`, `/health/ready`)
/// fails from the moment it is set, so load balancers and orchestrators send no one new, while
/// the sessions already here and every other route keep working until the node exits.
/// Set once by the node's drain service (MeshCascade), read by the routes.
public final class NodeDrainState: Sendable {
    private let draining = Atomic<Bool>(false)

    /// A node that is not draining.
    public init() {}

    /// Whether the node is draining.
    public var isDraining: Bool { draining.load(ordering: .acquiring) }

    /// Marks the node draining; there is no way back but a restart.
    public func beginDraining() {
        draining.store(true, ordering: .releasing)
    }
}
