import MeshCluster

/// A valid one-origin topology followed by `policies` lines (they start at line 12), for the
/// tests of one `policies` key each.
enum PolicyTopology {
    static func yaml(policies: [String]) -> String {
        let lines =
            [
                "mesh: policies",
                "regions: [{name: local}]",
                "secrets: {cluster: CLUSTER_SECRET, token: TOKEN_SECRET}",
                "nodes:",
                "  - id: origin-1",
                "    role: origin",
                "    region: local",
                "    api: 127.0.0.1:8080",
                "    media: 127.0.0.1",
                "    announce: 127.0.0.1",
                "    ports: 40000-40099",
            ] + policies
        return lines.joined(separator: "\n") + "\n"
    }

    /// The topology with `policies`, loaded.
    static func load(_ policies: [String]) throws -> Topology {
        try TopologyLoader.load(yaml: yaml(policies: policies), file: "inline.yaml")
    }

    /// What loading the topology with `policies` reported (nothing when it loaded).
    static func reported(_ policies: [String]) -> [Reported] {
        do {
            _ = try TopologyLoader.load(yaml: yaml(policies: policies), file: "inline.yaml")
            return []
        } catch {
            return error.diagnostics.map(Reported.init)
        }
    }
}
