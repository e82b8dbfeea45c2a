import Logging
import MeshCascade
import MeshCluster

/// The edge role: WHEP viewers, fed with each stream they watch over one relay link from
/// upstream; WHEP on any node redirects viewers here. Exists only in a mesh, so it needs Redis.
public struct EdgeNode {
    let runner: MeshNodeRunner

    /// An edge for `settings` from `topology` (read from `topologyPath`), logging to `logger`.
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
