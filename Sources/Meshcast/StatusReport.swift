import Foundation
import MeshControl

/// `meshcast status`'s text: a heading, the nodes, the streams, the relay links and the recent
/// failovers of a ``MeshOverview``.
enum StatusReport {
    static func render(_ overview: MeshOverview) -> String {
        var heading = "mesh \(overview.mesh), answered by \(overview.answeredBy)"
        switch overview.appliedTopology {
        case nil: heading += "; no topology applied"
        case overview.answeringNodeTopology: heading += "; topology \(overview.answeringNodeTopology) applied"
        case let applied?:
            heading += "; topology \(applied) applied, \(overview.answeredBy) runs \(overview.answeringNodeTopology)"
        }
        let nodes = TextTable.render(
            header: ["NODE", "ROLE", "REGION", "STATE", "HEARTBEAT", "SESSIONS", "EGRESS", "CPU", "TOPOLOGY"],
            rows: overview.nodes.map { node in
                [
                    node.id, node.role, node.region, stateCell(node, overview),
                    node.heartbeatAgeMilliseconds.map { "\($0) ms" } ?? "-",
                    node.sessionCapacity > 0 ? "\(node.sessions)/\(node.sessionCapacity)" : "\(node.sessions)",
                    bitrate(node.egressBitsPerSecond, of: node.egressCapacityBitsPerSecond),
                    String(format: "%.0f %%", node.cpu * 100), topologyCell(node, applied: overview.appliedTopology),
                ]
            })
        let streams =
            overview.streams.isEmpty
            ? "no live streams"
            : TextTable.render(
                header: ["STREAM", "ORIGIN", "CARRIERS", "VIEWERS"],
                rows: overview.streams.map { stream in
                    let viewers = stream.viewers.sorted { $0.key < $1.key }.filter { $0.value > 0 }
                    return [
                        stream.name, stream.origin, stream.carriers.joined(separator: ", "),
                        viewers.isEmpty ? "0" : viewers.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
                    ]
                })
        let links =
            overview.links.isEmpty
            ? "no relay links"
            : TextTable.render(
                header: ["LINK", "BITRATE", "PACKETS/S", "RTT", "LOSS", "STREAMS"],
                rows: overview.links.map { link in
                    [
                        "\(link.upstream) -> \(link.downstream)",
                        String(format: "%.2f Mbit/s", link.bitsPerSecond / 1e6),
                        String(format: "%.0f", link.packetsPerSecond),
                        link.roundTripMilliseconds.map { String(format: "%.1f ms", $0) } ?? "-",
                        String(format: "%.1f %%", link.fractionLost * 100), link.streams.joined(separator: ", "),
                    ]
                })
        let failovers =
            overview.failovers.isEmpty
            ? "no failovers recorded"
            : TextTable.render(
                header: ["WHEN", "NODE", "STREAM", "FROM", "TO", "CAUSE", "TOOK"],
                rows: overview.failovers.map { move in
                    [
                        "\((overview.readAt - min(move.at, overview.readAt)) / 1000) s ago", move.node, move.stream,
                        move.from, move.to ?? "none (\(move.failure ?? "no path"))", move.cause,
                        "\(move.milliseconds) ms",
                    ]
                })
        return [heading, "", nodes, "", streams, "", links, "", failovers].joined(separator: "\n")
    }

    /// The state, with how long a draining node has drained, marked past the deadline.
    private static func stateCell(_ node: MeshOverview.Node, _ overview: MeshOverview) -> String {
        guard node.state == "draining", let since = node.drainingSince else { return node.state }
        let seconds = (overview.readAt - min(since, overview.readAt)) / 1000
        let past =
            seconds > overview.drainDeadlineSeconds ? ", past the \(overview.drainDeadlineSeconds) s deadline" : ""
        return "draining \(seconds) s\(past)"
    }

    /// The topology the node runs, marked when it is not the applied one.
    private static func topologyCell(_ node: MeshOverview.Node, applied: String?) -> String {
        guard let running = node.topology else { return "-" }
        guard let applied, running != applied else { return running }
        return "\(running) (not applied)"
    }

    /// `0.2 Mbit/s`, or against a stated capacity `0.2/1000 Mbit/s`.
    private static func bitrate(_ bits: Int64, of capacity: Int64) -> String {
        capacity > 0
            ? String(format: "%.1f/%.0f Mbit/s", Double(bits) / 1e6, Double(capacity) / 1e6)
            : String(format: "%.1f Mbit/s", Double(bits) / 1e6)
    }
}
