import ArgumentParser
import Foundation
import Logging
import MeshCluster
import MeshOrigin

/// `meshcast node --topology FILE --id NODE`: runs one node of a topology in the foreground.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run one node of a topology (stops cleanly on SIGINT/SIGTERM).",
        discussion: """
            The node's role, addresses, ports and workers come from its entry in the topology; the \
            token secret from the environment variable the topology names (MESHCAST_SECRET by \
            default). This release runs origin nodes: publishers and viewers on one node.
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
        let settings: NodeSettings
        do {
            let loaded = try TopologyLoader.load(path: topology)
            settings = try NodeSettings(topology: loaded, id: id, environment: ProcessInfo.processInfo.environment)
        } catch let error as TopologyLoadFailure {
            StandardError.write(error.description)
            throw ExitCode.failure
        } catch {
            StandardError.write("meshcast node: \(error)")
            throw ExitCode.failure
        }
        guard settings.node.role == .origin else {
            StandardError.write(
                "meshcast node: \(id) is a \(settings.node.role.rawValue); this release runs origin nodes only "
                    + "(relays, edges and recorders need the cascade)")
            throw ExitCode.failure
        }
        do {
            try await OriginNode(settings: settings, logger: logger).run()
        } catch {
            logger.critical("node failed: \(error)")
            throw ExitCode.failure
        }
    }
}
