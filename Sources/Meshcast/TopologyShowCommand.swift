import ArgumentParser
import MeshCluster

/// `meshcast topology show FILE`: the planned nodes of a topology as a table.
struct TopologyShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the nodes a topology file plans: roles, regions, addresses, workers."
    )

    @Argument(help: "The topology file to show.")
    var file: String

    func run() throws {
        let topology: Topology
        do {
            topology = try TopologyLoader.load(path: file)
        } catch {
            StandardError.write(error.description)
            throw ExitCode.failure
        }
        print("\(file): \(TopologySummary.line(for: topology))")
        print("")
        let header = ["NODE", "ROLE", "REGION", "API", "MEDIA", "ANNOUNCE", "UDP PORTS", "WORKERS"]
        let rows = topology.nodes.map { node in
            [
                node.id, node.role.rawValue, node.region, node.api.description, node.mediaHost,
                node.announceIP, node.ports.description, TopologySummary.workers(node.workers),
            ]
        }
        print(TextTable.render(header: header, rows: rows))
        print("")
        print("links (upstream -> downstream):")
        for link in topology.links {
            print("  \(link.from) -> \(link.to)")
        }
    }
}
