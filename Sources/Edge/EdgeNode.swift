import Logging
import MeshCascade
import MeshCluster

/// The edge role: WHEP viewers, fed with each stream they watch over one relay link from
/// upstream; WHEP on any node redirects viewers here. Exists only in a mesh, so it needs Redis.
public struct EdgeNode: RoleNode {
    /// Serves the viewers placement sends here, no publishers; a leaf that pulls a stream when
    /// its first viewer arrives; mesh only.
    public static let policy = RolePolicy(
        role: .edge, acceptsPublishers: false, servesViewers: true, needsRedis: true, position: .leaf,
        drainEffect: "its viewers keep watching until they leave; new viewers go to other edges.")

    /// Refuses publishers (placement sends them to an origin), serves viewers (`EdgeViewerIntake`).
    public static let intake = RoleIntake(publishers: RefusesPublishers(), viewers: EdgeViewerIntake())

    let runner: MeshNodeRunner

    /// An edge for `settings` from `topology` (read from `topologyPath`), logging to `logger`.
    /// `settings` have a Redis endpoint: ``NodeSettings`` refuses an edge without one.
    public init(settings: NodeSettings, topology: Topology, topologyPath: String?, logger: Logger) {
        runner = MeshNodeRunner(
            settings: settings, intake: Self.intake, topology: topology, topologyPath: topologyPath, logger: logger)
    }

    /// Runs until SIGINT or SIGTERM (see ``MeshNodeRunner/run()``).
    public func run() async throws {
        try await runner.run()
    }
}
