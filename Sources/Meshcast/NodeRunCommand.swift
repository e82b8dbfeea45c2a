import ArgumentParser
import Foundation
import Logging
import MeshCascade
import MeshCluster

/// `meshcast node [run] --topology FILE --id NODE`: runs one node of a topology in the foreground.
struct NodeRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract:
            "Run one node of a topology (drains on SIGINT/SIGTERM, stops at once on a second; SIGHUP re-reads the topology).",
        discussion: """
            The node's role, addresses, ports and workers come from its entry in the topology; \
            secrets from the environment variables the topology names: the token secret \
            (MESHCAST_SECRET by default), the Redis URL (MESHCAST_REDIS_URL) and the cluster \
            secret (MESHCAST_CLUSTER_SECRET), 16 bytes or more, required with Redis; a file of \
            the variable's name in $CREDENTIALS_DIRECTORY (systemd's LoadCredential=) wins over \
            the environment. Origins \
            without Redis run alone as a single SFU; relays, edges and recorders need Redis, and \
            recorders their catalog's PostgreSQL URL (MESHCAST_POSTGRES_URL). On SIGTERM or SIGINT the node drains: /health/ready answers 503, \
            placement sends it no one new, and its sessions keep flowing until none is left or \
            policies.drain_deadline_seconds (default 30) has passed; a second signal stops it at once.
            """)

    @Option(help: "The topology file.")
    var topology: String

    @Option(help: "The node's id in the topology.")
    var id: String

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "meshcast.\(id)")
        let loaded: Topology
        let role: any RoleNode.Type
        let settings: NodeSettings
        do {
            loaded = try TopologyLoader.load(path: topology)
            guard let node = loaded.node(id: id) else {
                throw NodeSettingsError.unknownNode(id, known: loaded.nodes.map(\.id))
            }
            role = NodeRoles.node(for: node.role)
            // Under systemd, secrets may come as credentials instead (deploy/systemd).
            let environment = try NodeCredentials.environment(
                ProcessInfo.processInfo.environment, secrets: loaded.secrets)
            settings = try NodeSettings(topology: loaded, id: id, policy: role.policy, environment: environment)
        } catch let error as TopologyLoadFailure {
            StandardError.write(error.description)
            throw ExitCode.failure
        } catch {
            StandardError.write("meshcast node: \(error)")
            throw ExitCode.failure
        }
        do {
            try await role.init(settings: settings, topology: loaded, topologyPath: topology, logger: logger).run()
        } catch let error as NodeRunRefusal {
            StandardError.write("meshcast node: \(error)")
            throw ExitCode.failure
        } catch {
            logger.critical("node failed: \(error)")
            throw ExitCode.failure
        }
    }
}
