import MeshCluster
import Synchronization

/// The topology in force on this node and what placement builds from it, swapped whole when a
/// new one is applied (SIGHUP or `topology apply`) so a reader never sees one topology's index
/// with another's resolver. Every part of the coordinator reads it; only the coordinator sets it.
final class TopologyInForce: Sendable {
    /// One topology and what is built from it.
    struct Snapshot: Sendable {
        /// The topology.
        let topology: Topology
        /// Placement's index of `topology`.
        let index: PlacementIndex
        /// Client address → region, for `topology`.
        let resolver: RegionResolver

        init(_ topology: Topology) {
            self.topology = topology
            index = PlacementIndex(topology: topology)
            resolver = RegionResolver(
                topology: topology, trustedProxies: topology.trustedProxies.compactMap(IPNetwork.init))
        }
    }

    private let current: Mutex<Snapshot>

    init(_ topology: Topology) {
        current = Mutex(Snapshot(topology))
    }

    /// The topology, its index and its resolver, all from one topology.
    var snapshot: Snapshot { current.withLock { $0 } }

    /// The topology in force now.
    var topology: Topology { current.withLock { $0.topology } }

    /// Switches to `topology`.
    func apply(_ topology: Topology) {
        let snapshot = Snapshot(topology)
        current.withLock { $0 = snapshot }
    }

    /// `http://host:port` of a node's API, from the topology.
    func apiBase(of node: String) -> String? {
        topology.node(id: node).map { "http://\($0.api)" }
    }
}
