import ArgumentParser
import Foundation
import MeshCascade
import MeshCluster

/// `meshcast topology plan FILE [--against RUNNING]`: what applying FILE would change.
struct TopologyPlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what applying a topology file would change, and which changes need node restarts.",
        discussion: """
            Without --against the plan compares FILE with the topology applied to the mesh's \
            Redis (`meshcast topology apply`), found through the Redis URL variable the topology \
            names (MESHCAST_REDIS_URL by default); when that is unset, unreachable or empty, with \
            an empty mesh. Exit status: 0 when both files are valid, 1 when one is not.
            """
    )

    @Argument(help: "The topology file to apply.")
    var file: String

    @Option(name: .long, help: "A topology file standing for the running mesh.")
    var against: String?

    func run() async throws {
        guard let target = Self.load(file) else { throw ExitCode.failure }
        var running: Topology?
        if let against {
            guard let loaded = Self.load(against) else { throw ExitCode.failure }
            running = loaded
            print("Plan for mesh '\(target.mesh)': \(file) against \(against)\n")
        } else if let applied = await Self.appliedTopology(for: target) {
            running = applied.topology
            print("Plan for mesh '\(target.mesh)': \(file) against the topology applied in \(applied.source)\n")
        } else {
            print("Plan for mesh '\(target.mesh)': \(file) against an empty mesh\n")
        }
        print(TopologyPlan(from: running, to: target).rendered(), terminator: "")
    }

    /// The topology in the mesh's Redis, or `nil` after a note saying why there is none.
    static func appliedTopology(for target: Topology) async -> (topology: Topology, source: String)? {
        let variable = target.secrets.redisURLVariable
        let client: RedisClient
        do {
            guard let made = try MeshRedis.client(for: target, environment: ProcessInfo.processInfo.environment) else {
                StandardError.write(
                    "note: \(variable) is not set, so the running mesh cannot be read; comparing against an empty "
                        + "mesh instead. Use --against FILE to compare with another file.")
                return nil
            }
            client = made
        } catch {
            StandardError.write("note: \(error); comparing against an empty mesh instead.")
            return nil
        }
        do {
            let applied = try await PublishedTopology.fetch(from: client)
            await client.shutdown()
            guard let applied else {
                StandardError.write(
                    "note: no topology has been applied to Redis at \(client.endpoint) yet; comparing against an "
                        + "empty mesh instead.")
                return nil
            }
            return (applied, "Redis at \(client.endpoint)")
        } catch {
            await client.shutdown()
            StandardError.write(
                "note: cannot read the running topology from Redis at \(client.endpoint) (\(error)); comparing "
                    + "against an empty mesh instead.")
            return nil
        }
    }

    /// The topology, or `nil` after printing its diagnostics.
    static func load(_ path: String) -> Topology? {
        do {
            return try TopologyLoader.load(path: path)
        } catch {
            StandardError.write(error.description)
            return nil
        }
    }
}
