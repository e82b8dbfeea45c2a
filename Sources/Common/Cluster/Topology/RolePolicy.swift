/// What a node of one role does, stated once. Each role module (`MeshOrigin`, `MeshRelay`,
/// `MeshEdge`, `MeshRecorder`) provides its value; the coordinator, the engine's session limits,
/// the node settings and the `meshcast` commands read it instead of comparing roles.
///
/// It describes the node itself. Where placement picks *other* nodes (viewers go to edges,
/// publishers to origins) it reads their roles from the topology.
public struct RolePolicy: Sendable, Equatable {
    /// The role this policy is for.
    public var role: NodeRole
    /// Takes WHIP publishers: claims their streams mesh-wide, and keeps taking them while Redis
    /// is away. Nodes that do not are refused by placement (`403` with a grant) and by the engine.
    public var acceptsPublishers: Bool
    /// Serves WHEP viewers that placement sends here. A node that does not redirects every
    /// viewer and refuses a grant made out to it (`403`).
    public var servesViewers: Bool
    /// Exists only as part of a mesh, so it does not start without the mesh's Redis URL.
    public var needsRedis: Bool
    /// Where the node sits in a stream's relay tree, and so how it comes to carry a stream.
    public var position: TreePosition
    /// What draining leaves running on such a node and where new work goes, in a sentence for
    /// the operator (`meshcast node drain`). Draining itself is the same for every role: placement
    /// sends the node no new viewers or links, and downstream nodes move off it.
    public var drainEffect: String
    /// `false` while the role is only a shell: `meshcast up` skips its nodes and `meshcast node`
    /// refuses to run them.
    public var isBuilt: Bool

    /// A policy from its parts.
    public init(
        role: NodeRole, acceptsPublishers: Bool, servesViewers: Bool, needsRedis: Bool, position: TreePosition,
        drainEffect: String, isBuilt: Bool = true
    ) {
        self.role = role
        self.acceptsPublishers = acceptsPublishers
        self.servesViewers = servesViewers
        self.needsRedis = needsRedis
        self.position = position
        self.drainEffect = drainEffect
        self.isBuilt = isBuilt
    }
}

/// Where a role sits in a stream's relay tree. The order is upstream first: `meshcast up`
/// starts nodes in it, so that each answers before the nodes that pull from it.
public enum TreePosition: Int, Sendable, Comparable, CaseIterable {
    /// The root: a stream's tree starts where its publisher is, and that node never pulls the
    /// stream from anywhere else (with the publisher gone there is nowhere to fetch it from).
    case root
    /// Inside the tree: pulls a stream over a relay link when a downstream node subscribes to
    /// it, and feeds it on to every node that subscribed.
    case inner
    /// A leaf: pulls a stream over a relay link when a consumer of its own (a viewer, a
    /// recording) needs it.
    case leaf

    /// Upstream first.
    public static func < (lhs: TreePosition, rhs: TreePosition) -> Bool { lhs.rawValue < rhs.rawValue }
}
