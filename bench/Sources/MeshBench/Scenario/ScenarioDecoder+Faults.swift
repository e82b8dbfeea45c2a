import MeshCluster
import Yams

/// The `faults` list: each entry has `at_seconds` and exactly one action.
extension ScenarioDecoder {
    static let faultActions = ["kill", "stop", "drop_link", "delay_publishers", "stop_redis"]

    func decodeFaults(_ node: Node, duration: Int?) -> [ScheduledFault] {
        guard let items = read.list(node, "faults") else { return [] }
        return items.enumerated().compactMap { index, item in decodeFault(item, "faults[\(index)]", duration: duration)
        }
    }

    private func decodeFault(_ node: Node, _ what: String, duration: Int?) -> ScheduledFault? {
        let known = ["at_seconds", "for_seconds"] + Self.faultActions
        guard let fields = read.fields(node, what, known: known, required: ["at_seconds"]) else { return nil }
        let at = fields["at_seconds"].flatMap { values.number($0, "\(what).at_seconds", in: 0...3600) }
        if let at, let duration, at >= Double(duration), let atNode = fields["at_seconds"] {
            log.error(
                "\(what).at_seconds \(ScenarioValueReading.format(at)) is not within the run (duration_seconds \(duration))",
                at: atNode)
        }
        let present = Self.faultActions.filter { fields[$0] != nil }
        guard present.count == 1, let name = present.first, let actionNode = fields[name] else {
            if present.isEmpty {
                log.error("\(what) needs one action: \(Self.faultActions.joined(separator: ", "))", at: fields.location)
            } else {
                log.error(
                    "\(what) has \(present.count) actions (\(present.joined(separator: ", "))); give each its own entry",
                    at: fields.location)
            }
            return nil
        }
        if name != "stop", let forNode = fields["for_seconds"] {
            log.error("\(what).for_seconds applies only to 'stop' (stop_redis takes its own for_seconds)", at: forNode)
        }
        let action = decodeAction(name, actionNode, "\(what).\(name)", fields: fields)
        guard let at, let action else { return nil }
        return ScheduledFault(atSeconds: at, action: action)
    }

    private func decodeAction(_ name: String, _ node: Node, _ what: String, fields: YAMLFields) -> FaultAction? {
        switch name {
        case "kill":
            return faultNode(node, what).map { .kill(node: $0) }
        case "stop":
            let target = faultNode(node, what)
            guard let forNode = fields["for_seconds"] else {
                log.error("\(what) needs 'for_seconds' beside it (how long the node stays stopped)", at: node)
                return nil
            }
            let seconds = values.number(forNode, "for_seconds", in: 0.1...3600)
            guard let target, let seconds else { return nil }
            return .stop(node: target, forSeconds: seconds)
        case "drop_link":
            guard let link = read.fields(node, what, known: ["from", "to", "rate"], required: ["from", "to", "rate"])
            else { return nil }
            let from = link["from"].flatMap { faultNode($0, "\(what).from") }
            let to = link["to"].flatMap { faultNode($0, "\(what).to") }
            let rate = link["rate"].flatMap { values.number($0, "\(what).rate", in: 0...1) }
            guard let from, let to, let rate else { return nil }
            return .dropLink(from: from, to: to, rate: rate)
        case "delay_publishers":
            guard let delay = read.fields(node, what, known: ["ms"], required: ["ms"]) else { return nil }
            return delay["ms"].flatMap { values.integer($0, "\(what).ms", in: 0...10_000) }
                .map { .delayPublishers(milliseconds: $0) }
        default:  // stop_redis
            references.needsTopology(what, at: log.location(of: node))
            guard let redis = read.fields(node, what, known: ["for_seconds"], required: ["for_seconds"]) else {
                return nil
            }
            return redis["for_seconds"].flatMap { values.number($0, "\(what).for_seconds", in: 0.1...3600) }
                .map { .stopRedis(forSeconds: $0) }
        }
    }

    /// A node id a fault acts on: recorded for the topology check, and only meaningful when
    /// meshbench started the nodes.
    private func faultNode(_ node: Node, _ what: String) -> String? {
        guard let name = read.string(node, what) else { return nil }
        references.node(name, in: what)
        references.needsTopology(what, at: name.location)
        return name.value
    }
}
