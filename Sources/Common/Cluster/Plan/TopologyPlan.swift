/// What applying a topology would change in a running mesh: a pure comparison of two
/// `Topology` values, like `terraform plan`. It reads nothing and touches nothing.
public struct TopologyPlan: Sendable, Equatable {
    /// Every change, in a fixed order: mesh, regions, latency, nodes, links, policies, edge
    /// options, trusted proxies, secrets; within a section the new file's order, then removals.
    public var changes: [TopologyChange]

    /// Compares the running topology (`nil`: an empty mesh) with the one to apply.
    public init(from running: Topology?, to target: Topology) {
        var changes: [TopologyChange] = []
        let keptNodes = target.nodes.map(\.id).filter { running?.node(id: $0) != nil }
        let restartAll: TopologyChange.Rollout = keptNodes.isEmpty ? .live : .restart(keptNodes)

        if let running, running.mesh != target.mesh {
            // The name is the Redis key prefix: every node re-registers under the new one.
            changes.append(
                TopologyChange(
                    action: .update, subject: .mesh,
                    fields: [FieldChange(name: "mesh", old: running.mesh, new: target.mesh, isLive: false)],
                    rollout: restartAll))
        }
        changes += Self.keyed(
            running?.regions, target.regions, key: \.name, subject: TopologyChange.Subject.region,
            fields: PlanFields.region, rollout: { _, _ in .live })
        changes += Self.keyed(
            running?.latencies, target.latencies, key: Self.pairKey,
            subject: { key in
                let names = key.split(separator: "\n").map(String.init)
                return .latency(names.first ?? "", names.last ?? "")
            },
            fields: { [PlanField(name: "ms", value: Self.milliseconds($0.milliseconds), isLive: true)] },
            rollout: { _, _ in .live })
        changes += Self.keyed(
            running?.nodes, target.nodes, key: \.id, subject: TopologyChange.Subject.node,
            fields: PlanFields.node,
            rollout: { id, action in
                switch action {
                case .add: .start(id)
                case .remove: .stop(id)
                case .update: .restart([id])
                }
            })
        changes += Self.links(running?.links ?? [], target.links)
        changes += Self.single(
            .policies, running.map { PlanFields.policies($0.policies) }, PlanFields.policies(target.policies),
            restart: restartAll)
        changes += Self.single(
            .edgeOptions, running.map { PlanFields.edge($0.edge) }, PlanFields.edge(target.edge), restart: restartAll)
        changes += Self.single(
            .trustedProxies, running.map { PlanFields.trustedProxies($0.trustedProxies) },
            PlanFields.trustedProxies(target.trustedProxies), restart: restartAll)
        changes += Self.single(
            .secrets, running.map { PlanFields.secrets($0.secrets) }, PlanFields.secrets(target.secrets),
            restart: restartAll)
        changes += Self.single(
            .webhooks, running.map { PlanFields.webhooks($0.webhooks) }, PlanFields.webhooks(target.webhooks),
            restart: restartAll)
        self.changes = changes
    }

    /// Whether the two topologies are the same as far as the mesh is concerned.
    public var isEmpty: Bool { changes.isEmpty }

    /// The nodes that must restart, in plan order, each once.
    public var nodesToRestart: [String] {
        var ids: [String] = []
        for change in changes {
            guard case .restart(let nodes) = change.rollout else { continue }
            for id in nodes where !ids.contains(id) { ids.append(id) }
        }
        return ids
    }

    /// Compares lists of named things (regions, latency entries, nodes).
    private static func keyed<Item>(
        _ old: [Item]?,
        _ new: [Item],
        key: (Item) -> String,
        subject: (String) -> TopologyChange.Subject,
        fields flatten: (Item) -> [PlanField],
        rollout: (String, TopologyChange.Action) -> TopologyChange.Rollout
    ) -> [TopologyChange] {
        let old = old ?? []
        var changes: [TopologyChange] = []
        for item in new {
            let name = key(item)
            let before = old.first { key($0) == name }
            let differences = PlanFields.differences(before.map(flatten), flatten(item))
            guard !differences.isEmpty || before == nil else { continue }
            let action: TopologyChange.Action = before == nil ? .add : .update
            var plan = rollout(name, action)
            if action == .update, differences.allSatisfy(\.isLive) { plan = .live }
            changes.append(TopologyChange(action: action, subject: subject(name), fields: differences, rollout: plan))
        }
        for item in old where !new.contains(where: { key($0) == key(item) }) {
            let name = key(item)
            changes.append(
                TopologyChange(
                    action: .remove, subject: subject(name), fields: PlanFields.differences(flatten(item), nil),
                    rollout: rollout(name, .remove)))
        }
        return changes
    }

    private static func links(_ old: [LinkRule], _ new: [LinkRule]) -> [TopologyChange] {
        let added = new.filter { !old.contains($0) }.map {
            TopologyChange(action: .add, subject: .link(from: $0.from, to: $0.to), fields: [], rollout: .live)
        }
        let removed = old.filter { !new.contains($0) }.map {
            TopologyChange(action: .remove, subject: .link(from: $0.from, to: $0.to), fields: [], rollout: .live)
        }
        return added + removed
    }

    /// Compares a mesh-wide section; against an empty mesh it is added when it sets anything.
    private static func single(
        _ subject: TopologyChange.Subject,
        _ old: [PlanField]?,
        _ new: [PlanField],
        restart: TopologyChange.Rollout
    ) -> [TopologyChange] {
        let differences = PlanFields.differences(old ?? [], new)
        guard !differences.isEmpty else { return [] }
        let rollout = differences.allSatisfy(\.isLive) || old == nil ? TopologyChange.Rollout.live : restart
        return [
            TopologyChange(action: old == nil ? .add : .update, subject: subject, fields: differences, rollout: rollout)
        ]
    }

    /// Latency is symmetric, so an entry is keyed by its two regions in alphabetical order.
    private static func pairKey(_ entry: RegionLatency) -> String {
        [entry.first, entry.second].sorted().joined(separator: "\n")
    }

    private static func milliseconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
