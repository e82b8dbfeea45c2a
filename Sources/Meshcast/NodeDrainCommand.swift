import ArgumentParser
import Foundation
import MeshCluster

/// `meshcast node drain ID [--undo] --topology FILE`: sets or clears a node's drain flag in Redis.
struct NodeDrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Drain a node (placement sends it nothing new) or, with --undo, take it back.",
        discussion: """
            Sets the node's drain mark in the mesh's Redis (the URL comes from the variable the \
            topology names, MESHCAST_REDIS_URL by default). The mark outlives the node's \
            heartbeats, so a node drained while stopped starts drained. Exit status: 0 when the \
            mark is set or cleared, 1 otherwise.
            """)

    @Argument(help: "The id of the node to drain.")
    var id: String

    @Option(help: "The topology file the node belongs to.")
    var topology: String

    @Flag(help: "Clear the drain mark: the node takes new viewers and links again.")
    var undo = false

    func run() async throws {
        guard let loaded = TopologyPlanCommand.load(topology) else { throw ExitCode.failure }
        guard let node = loaded.node(id: id) else {
            StandardError.write(
                "meshcast node drain: no node '\(id)' in \(topology) (nodes: \(loaded.nodes.map(\.id).joined(separator: ", ")))"
            )
            throw ExitCode.failure
        }
        let client: RedisClient
        do {
            guard let made = try MeshRedis.client(for: loaded, environment: ProcessInfo.processInfo.environment) else {
                StandardError.write(
                    "meshcast node drain: \(loaded.secrets.redisURLVariable) is not set: draining is a mark in the "
                        + "mesh's Redis, so the command needs its URL (redis://host:port)")
                throw ExitCode.failure
            }
            client = made
        } catch let error as MeshRedis.Unusable {
            StandardError.write("meshcast node drain: \(error)")
            throw ExitCode.failure
        }
        let live: Bool
        do {
            live = try await NodeRegistry(client: client).setDraining(id: id, !undo)
            await MeshRedis.audit(
                undo ? "node.undrain" : "node.drain", target: "node/\(id)", result: live ? "ok" : "ok (not running)",
                to: client)
            await client.shutdown()
        } catch {
            await client.shutdown()
            StandardError.write("meshcast node drain: cannot reach Redis at \(client.endpoint): \(error)")
            throw ExitCode.failure
        }
        print(Self.explanation(node: node, undo: undo, live: live))
    }

    /// What happens now, in a sentence or two.
    static func explanation(node: TopologyNode, undo: Bool, live: Bool) -> String {
        let subject = "\(node.id) (\(node.role.rawValue))"
        let state = live ? "" : "\n\(node.id) is not running now; the mark applies when it starts."
        if undo {
            return "\(subject) is no longer draining: placement may send it new viewers and links again." + state
        }
        let work = NodeRoles.policy(for: node.role).drainEffect
        return "\(subject) is draining: placement sends it no new viewers or links; \(work)"
            + " Undo with `meshcast node drain \(node.id) --undo --topology FILE`." + state
    }
}
