import MeshCascade
import MeshCluster
import MeshEdge
import MeshOrigin
import MeshRecorder
import MeshRelay

/// The one place that maps a topology's role to the module that holds it; everything else
/// asks the role's policy.
enum NodeRoles {
    /// The role module's node type for `role`.
    static func node(for role: NodeRole) -> any RoleNode.Type {
        switch role {
        case .origin: OriginNode.self
        case .relay: RelayNode.self
        case .edge: EdgeNode.self
        case .recorder: RecorderNode.self
        }
    }

    /// What nodes of `role` do.
    static func policy(for role: NodeRole) -> RolePolicy {
        node(for: role).policy
    }

    /// Every role, upstream first (roots, then inner nodes, then leaves): the order in which
    /// `meshcast up` starts nodes, so that each answers before the nodes that pull from it.
    static var upstreamFirst: [RolePolicy] {
        // `sorted` is stable: roles at one position keep the order NodeRole declares them in.
        NodeRole.allCases.map(policy(for:)).sorted { $0.position < $1.position }
    }
}
