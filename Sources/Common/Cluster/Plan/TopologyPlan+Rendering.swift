/// The plan as text for people, in the `terraform plan` style:
///
///     ~ node edge-a  (restart edge-a)
///         ~ ports: 40200-40299 -> 40200-40399  [restart]
///         ~ capacity.sessions: 500 -> 800
///     + link relay-1 -> edge-c  (live)
///
///     Plan: 1 to add, 1 to change, 0 to remove. Restart: edge-a.
extension TopologyPlan {
    /// Every change and a summary line; `No changes.` when there are none.
    public func rendered() -> String {
        guard !isEmpty else { return "No changes: the mesh already matches this topology.\n" }
        var lines: [String] = []
        for change in changes {
            lines.append("\(change.action.rawValue) \(change.subject)  (\(change.rollout))")
            for field in change.fields {
                lines.append("    " + Self.render(field, in: change))
            }
        }
        lines.append("")
        lines.append(summary)
        return lines.joined(separator: "\n") + "\n"
    }

    /// `Plan: 2 to add, 1 to change, 1 to remove. Live: 3. Restart: edge-a. Start: edge-c.`
    public var summary: String {
        func count(_ action: TopologyChange.Action) -> Int { changes.filter { $0.action == action }.count }
        var text = "Plan: \(count(.add)) to add, \(count(.update)) to change, \(count(.remove)) to remove."
        text += " Live: \(changes.filter { $0.rollout == .live }.count)."
        let restarts = nodesToRestart
        if !restarts.isEmpty { text += " Restart: \(restarts.joined(separator: ", "))." }
        let starts = changes.compactMap { change -> String? in
            if case .start(let id) = change.rollout { return id } else { return nil }
        }
        if !starts.isEmpty { text += " Start: \(starts.joined(separator: ", "))." }
        let stops = changes.compactMap { change -> String? in
            if case .stop(let id) = change.rollout { return id } else { return nil }
        }
        if !stops.isEmpty { text += " Stop: \(stops.joined(separator: ", "))." }
        return text
    }

    /// One field line; in a change that restarts nodes, the fields that force it are marked.
    private static func render(_ field: FieldChange, in change: TopologyChange) -> String {
        switch change.action {
        case .add: return "\(field.name): \(field.new ?? "(unset)")"
        case .remove: return "\(field.name): \(field.old ?? "(unset)")"
        case .update:
            let symbol = field.old == nil ? "+" : field.new == nil ? "-" : "~"
            let marker: String
            if case .restart = change.rollout, !field.isLive { marker = "  [restart]" } else { marker = "" }
            return "\(symbol) \(field.name): \(field.old ?? "(unset)") -> \(field.new ?? "(unset)")\(marker)"
        }
    }
}
