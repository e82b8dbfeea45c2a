import MeshCluster

/// The checks that need the target: node ids and regions against the topology file, and
/// node-bound fields against a `target.url` run (where meshbench starts no nodes).
struct ScenarioValidator {
    let log: DiagnosticLog
    /// Where a relative `target.topology` path is resolved from.
    let baseDirectory: String

    /// Checks the references; returns the loaded topology (if any) and the topology file's own
    /// diagnostics, which name their own file and so are listed after the scenario's.
    ///
    /// `source` is `nil` when the scenario failed to decode; a `target.topology` that was
    /// written is still loaded then, so unknown node ids are reported in the same pass.
    func validate(_ references: ScenarioReferences, source: ScenarioTarget.Source?) -> (Topology?, [TopologyDiagnostic])
    {
        if case .url = source {
            for field in references.needingTopology {
                log.error(
                    "\(field.value) needs target.topology: with target.url meshbench starts no nodes and knows no node ids",
                    at: field.location)
            }
            return (nil, [])
        }
        guard let path = references.topologyPath else { return (nil, []) }
        do {
            let topology = try TopologyLoader.load(path: resolve(path.value))
            check(references, against: topology)
            return (topology, [])
        } catch {
            log.error(
                "target.topology '\(path.value)' cannot be used (\(error.diagnostics.count) problem(s), listed below)",
                at: path.location)
            return (nil, error.diagnostics)
        }
    }

    private func check(_ references: ScenarioReferences, against topology: Topology) {
        let ids = topology.nodes.map(\.id)
        for reference in references.nodes where !ids.contains(reference.name.value) {
            log.error(
                "unknown node '\(reference.name.value)' in \(reference.field)\(Self.hint(reference.name.value, ids, "nodes"))",
                at: reference.name.location)
        }
        checkTURN(references, against: topology)
        let regions = topology.regions.map(\.name)
        for reference in references.regions where !regions.contains(reference.name.value) {
            log.error(
                "unknown region '\(reference.name.value)' in \(reference.field)\(Self.hint(reference.name.value, regions, "regions"))",
                at: reference.name.location)
        }
    }

    /// `viewers.turn` needs a TURN listener of its transport where viewers enter (any node for
    /// placement), or every viewer would fail at run time.
    private func checkTURN(_ references: ScenarioReferences, against topology: Topology) {
        guard let turn = references.turn else { return }
        let candidates = topology.nodes.filter { turn.entry == nil || $0.id == turn.entry }
        guard !candidates.isEmpty else { return }  // an unknown node id is reported on its own
        let listening = candidates.contains { node in
            turn.transport == "tcp" ? node.turn?.tcpPort != nil : node.turn?.udpPort != nil
        }
        let place = turn.entry.map { "node '\($0)'" } ?? "any node"
        // The topology's own validation already asks for secrets.turn beside a TURN listener.
        if !listening {
            log.error(
                "viewers.turn over \(turn.transport) needs a TURN listener on \(place) (turn: {\(turn.transport): PORT} in the topology)",
                at: turn.location)
        }
    }

    private static func hint(_ name: String, _ candidates: [String], _ kind: String) -> String {
        let hint = NearestName.hint(for: name, among: candidates)
        return hint.isEmpty ? " (\(kind): \(candidates.joined(separator: ", ")))" : hint
    }

    private func resolve(_ path: String) -> String {
        ScenarioRoot.resolve(path, from: baseDirectory)
    }
}
