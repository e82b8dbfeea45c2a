import MeshCluster

/// Reading placement's snapshot of the mesh out of Redis.
extension MeshCoordinator {
    /// Every live node's load, and `stream`'s origin and carriers when one is named. Nodes
    /// missing from the registry count as dead (their status expired), except this node.
    func liveState(stream: String?, origin: String?) async throws(RedisError) -> PlacementState {
        var nodes: [String: NodeLoad] = [:]
        for status in try await registry.nodes() {
            nodes[status.id] = NodeLoad(
                sessions: status.load.sessions, egressMbps: Double(status.load.egressBitsPerSecond) / 1_000_000,
                cpu: status.load.cpu, draining: status.draining, alive: true)
        }
        // This node is answering, so it is alive even before its first heartbeat lands.
        if nodes[nodeID] == nil { nodes[nodeID] = NodeLoad() }
        var streams: [String: StreamPlacement] = [:]
        if let stream, let origin {
            let carriers = try await directory.carriers(of: stream, now: Self.wallMilliseconds())
            streams[stream] = StreamPlacement(origin: origin, carriers: Set(carriers))
        }
        return PlacementState(nodes: nodes, streams: streams, unlistedNodesAlive: false)
    }
}
