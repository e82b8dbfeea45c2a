import MeshCluster
import MeshRTC

extension SessionLimits {
    /// The limits of `node` in `topology`, taking publishers only when its role's `policy` does.
    public init(node: TopologyNode, topology: Topology, policy: RolePolicy) {
        self.init(
            acceptsPublishers: policy.acceptsPublishers, capacity: node.capacity ?? NodeCapacity(),
            policies: topology.policies)
    }
}
