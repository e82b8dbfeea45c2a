import Logging
import MeshCascade
import MeshCluster

/// The origin role: publishers come in over WHIP; viewers watch over WHEP on the same node
/// and, in a mesh, on edges fed over relay links. Without Redis it runs alone, as a single SFU.
public struct OriginNode: RoleNode {
    /// Takes publishers (claiming each stream mesh-wide) and serves viewers; roots the tree of
    /// every stream published on it; runs with or without a mesh.
    public static let policy = RolePolicy(
        role: .origin, acceptsPublishers: true, servesViewers: true, needsRedis: false, position: .root,
        drainEffect: "its publishers and viewers stay; new publishers and viewers go elsewhere.")

    /// Claims and takes publishers, serves viewers from them (see `OriginIntake.swift`).
    public static let intake = RoleIntake(publishers: OriginPublisherIntake(), viewers: OriginViewerIntake())

    let runner: MeshNodeRunner

    /// An origin for `settings` from `topology` (read from `topologyPath`), logging to `logger`.
    public init(settings: NodeSettings, topology: Topology, topologyPath: String?, logger: Logger) {
        runner = MeshNodeRunner(
            settings: settings, intake: Self.intake, topology: topology, topologyPath: topologyPath, logger: logger)
    }

    /// Runs until SIGINT or SIGTERM (see ``MeshNodeRunner/run()``).
    public func run() async throws {
        try await runner.run()
    }
}
