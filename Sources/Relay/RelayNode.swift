import Logging
import MeshCascade
import MeshCluster

/// The relay role: no WebRTC clients; subscribes each stream upstream once and fans it out to
/// downstream relays and edges over relay links. Exists only in a mesh, so it needs Redis.
public struct RelayNode {
    let runner: MeshNodeRunner

    /// A relay for `settings` from `topology` (read from `topologyPath`), logging to `logger`.
    /// Throws when `settings` has no Redis endpoint.
    public init(settings: NodeSettings, topology: Topology, topologyPath: String?, logger: Logger)
        throws(NodeSettingsError)
    {
        guard settings.redis != nil else {
            throw .missingRedis(topology.secrets.redisURLVariable, role: settings.node.role)
        }
        runner = MeshNodeRunner(settings: settings, topology: topology, topologyPath: topologyPath, logger: logger)
    }

    /// Runs until SIGINT or SIGTERM (see ``MeshNodeRunner/run()``).
    public func run() async throws {
        try await runner.run()
    }
}
