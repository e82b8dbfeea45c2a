import MeshCluster

/// One-line summaries of a topology for command output.
enum TopologySummary {
    /// `mesh 'local': 5 nodes (1 origin, 1 relay, 2 edge, 1 recorder), 2 regions, 7 links`.
    static func line(for topology: Topology) -> String {
        let perRole = NodeRole.allCases.map { role in
            "\(topology.nodes(withRole: role).count) \(role.rawValue)"
        }
        return "mesh '\(topology.mesh)': "
            + "\(count(topology.nodes.count, "node")) (\(perRole.joined(separator: ", "))), "
            + "\(count(topology.regions.count, "region")), "
            + "\(count(topology.links.count, "link"))"
    }

    /// `1 region`, `2 regions`.
    static func count(_ value: Int, _ noun: String) -> String {
        "\(value) \(noun)\(value == 1 ? "" : "s")"
    }

    /// How a node's workers are placed: `1, in order`, `4 on CPUs 2,3,4,5`, `on NUMA node 0`.
    static func workers(_ plan: WorkerPlan) -> String {
        let count = plan.count.map(String.init) ?? "one per core"
        switch plan.pinning {
        case .inOrder: return "\(count), CPUs in order"
        case .cpus(let cpus): return "\(cpus.count) on CPUs \(cpus.map(String.init).joined(separator: ","))"
        case .numaNode(let node): return "\(count) on NUMA node \(node)"
        }
    }
}
