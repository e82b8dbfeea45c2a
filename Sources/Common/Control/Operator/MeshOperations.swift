import MeshCluster

/// What the operator API's mesh commands do (`POST /v1/nodes/{id}/drain`, `POST /v1/topology`):
/// the same as `meshcast node drain` and `meshcast topology apply`, through the mesh's Redis.
/// The node fills it in (MeshCascade owns the published topology); a node without Redis has
/// none, and those routes answer 503.
public struct MeshOperations: Sendable {
    /// The topology in force on this node now: which node ids exist, which mesh this is.
    public var topology: @Sendable () -> Topology
    /// Sets (`true`) or clears a node's drain mark; returns whether the node is running now.
    public var setDraining: @Sendable (_ node: String, _ draining: Bool) async throws -> Bool
    /// Publishes a validated topology for every node to follow; returns the plan's summary
    /// against the one published before (what changes, what needs a restart).
    public var applyTopology: @Sendable (Topology) async throws -> String

    /// The operations from their parts.
    public init(
        topology: @escaping @Sendable () -> Topology,
        setDraining: @escaping @Sendable (String, Bool) async throws -> Bool,
        applyTopology: @escaping @Sendable (Topology) async throws -> String
    ) {
        self.topology = topology
        self.setDraining = setDraining
        self.applyTopology = applyTopology
    }
}

extension MeshOperations {
    /// The operations over the mesh's Redis, as the CLI does them: the drain mark through
    /// ``NodeRegistry/setDraining(id:_:)``, the topology through ``PublishedTopology``, its plan
    /// against the one published before (or none).
    public static func redis(_ client: RedisClient, topology: @escaping @Sendable () -> Topology) -> MeshOperations {
        MeshOperations(
            topology: topology,
            setDraining: { node, draining in try await NodeRegistry(client: client).setDraining(id: node, draining) },
            applyTopology: { applied in
                let running = try? await PublishedTopology.fetch(from: client)
                try await PublishedTopology.publish(applied, to: client)
                return TopologyPlan(from: running, to: applied).summary
            })
    }
}
