import Logging
import MeshCascade
import MeshCluster

/// The relay role: no WebRTC clients; subscribes each stream upstream once and fans it out to
/// downstream relays and edges over relay links. Exists only in a mesh, so it needs Redis.
public struct RelayNode: RoleNode {
    /// No publishers and no viewers; inside the tree, it pulls a stream when a downstream node
    /// subscribes to it; mesh only.
    public static let policy = RolePolicy(
        role: .relay, acceptsPublishers: false, servesViewers: false, needsRedis: true, position: .inner,
        drainEffect: "streams it carries keep flowing; new paths avoid it.")

    /// Neither publishers nor viewers: placement sends them on, or refuses a grant made out here.
    public static let intake: RoleIntake = .refusesClients

    let runner: MeshNodeRunner

    /// A relay for `settings` from `topology` (read from `topologyPath`), logging to `logger`.
    /// `settings` have a Redis endpoint: ``NodeSettings`` refuses a relay without one.
    public init(settings: NodeSettings, topology: Topology, topologyPath: String?, logger: Logger) {
        runner = MeshNodeRunner(
            settings: settings, intake: Self.intake, topology: topology, topologyPath: topologyPath, logger: logger)
    }

    /// Runs until SIGINT or SIGTERM (see ``MeshNodeRunner/run()``).
    public func run() async throws {
        try await runner.run()
    }
}
