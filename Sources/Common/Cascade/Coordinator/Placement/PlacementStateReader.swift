import MeshCluster

/// Reads placement's snapshot of the mesh out of Redis: which nodes are alive and how loaded,
/// and which nodes carry a stream. Client placement and upstream choice both plan over it.
struct PlacementStateReader: Sendable {
    /// This node's id.
    let nodeID: String
    let redis: RedisClient
    let registry: NodeRegistry
    let directory: StreamDirectory

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
            let carriers = try await directory.carriers(of: stream, now: WallClock.milliseconds())
            streams[stream] = StreamPlacement(origin: origin, carriers: Set(carriers))
        }
        return PlacementState(nodes: nodes, streams: streams, unlistedNodesAlive: false)
    }

    /// Why placement should wait, or `nil`. Redis that comes back (restarted, maybe empty)
    /// lists the nodes again one heartbeat at a time: a placement in between would pass over a
    /// live edge not listed yet and send its region's viewers far away. So until every node of
    /// `role` in the topology is listed again, or ``registrySettleTime`` has passed since Redis
    /// returned (a node still missing by then is really gone), placement answers `503`.
    func registrySettling(
        _ live: PlacementState, role: NodeRole, topology: Topology, now: ContinuousClock.Instant = .now
    ) -> String? {
        guard let returned = redis.lastReturn else { return nil }
        let since = returned.duration(to: now)
        guard since < Self.registrySettleTime else { return nil }
        let missing = topology.nodes(withRole: role).map(\.id).filter { live.nodes[$0]?.alive != true }
        guard !missing.isEmpty else { return nil }
        let milliseconds = since.components.seconds * 1000 + since.components.attoseconds / 1_000_000_000_000_000
        return "Redis returned \(milliseconds) ms ago and \(missing.joined(separator: ", ")) "
            + "have not registered again yet"
    }

    /// How long after Redis returns every live node has surely registered again: the longest
    /// wait of a node's reconnect back-off (its cap stretched by the jitter, 6 s by default)
    /// plus one heartbeat. Not the registry's expiry: that is short (1.5 s) so that dead nodes
    /// leave placement fast, while a live node may sleep in its back-off far longer.
    static var registrySettleTime: Duration {
        let backoff = ReconnectBackoff()
        return backoff.maximum * (1 + backoff.jitter) + NodeRegistry.refreshInterval
    }
}
