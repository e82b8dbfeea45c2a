@testable import MeshCluster

/// A deterministic synthetic mesh for placement tests: 50 regions on a 10 × 5 grid, 10 nodes
/// each (1 origin, 2 relays, 7 edges), 500 nodes in all.
///
/// - Region `rNN` (NN = row * 10 + column) sits at latitude `row * 5`, longitude `column * 5`
///   and owns `10.NN.0.0/16` and `2001:db8:NN::/48` (NN in decimal digits, read as hex by IPv6).
/// - The latency table lists only pairs at most one grid step apart (diagonals included):
///   10 ms per step, 14 ms per diagonal; farther pairs come from shortest paths.
/// - Links: origin → relays of its own and its 4 neighbouring regions, origin → its own edges,
///   relay → relays of the 4 neighbouring regions, relay → edges of its own region.
/// - Edges: 100 sessions each; relays: 1000 Mbit/s egress; origins: 50 sessions.
enum PlacementSyntheticTopology {
    static let columns = 10
    static let rows = 5

    static func regionName(row: Int, column: Int) -> String {
        let number = row * columns + column
        return number < 10 ? "r0\(number)" : "r\(number)"
    }

    static func regionName(_ number: Int) -> String { regionName(row: number / columns, column: number % columns) }
    static func origin(_ region: Int) -> String { "origin-\(regionName(region))" }
    static func relay(_ region: Int, _ n: Int) -> String { "relay-\(regionName(region))-\(n)" }
    static func edge(_ region: Int, _ n: Int) -> String { "edge-\(regionName(region))-\(n)" }

    static func neighbours(_ region: Int) -> [Int] {
        let row = region / columns
        let column = region % columns
        return [(row - 1, column), (row + 1, column), (row, column - 1), (row, column + 1)]
            .filter { (0..<rows).contains($0.0) && (0..<columns).contains($0.1) }
            .map { $0.0 * columns + $0.1 }
    }

    static func make() -> Topology {
        var regions: [Region] = []
        var latencies: [RegionLatency] = []
        var nodes: [TopologyNode] = []
        var links: [LinkRule] = []
        let count = rows * columns
        for number in 0..<count {
            let row = number / columns
            let column = number % columns
            regions.append(
                Region(
                    name: regionName(number),
                    cidrs: [
                        CIDRBlock(address: "10.\(number).0.0", prefixLength: 16),
                        CIDRBlock(address: "2001:db8:\(number)::", prefixLength: 48),
                    ],
                    coordinates: GeoCoordinates(latitude: Double(row * 5), longitude: Double(column * 5))))
        }
        for a in 0..<count {
            for b in (a + 1)..<count {
                let rowStep = abs(a / columns - b / columns)
                let columnStep = abs(a % columns - b % columns)
                guard rowStep <= 1, columnStep <= 1 else { continue }
                let ms = rowStep + columnStep == 2 ? 14.0 : 10.0
                latencies.append(RegionLatency(first: regionName(a), second: regionName(b), milliseconds: ms))
            }
        }
        var port: UInt16 = 10000
        func node(_ id: String, _ role: NodeRole, _ region: Int, _ capacity: NodeCapacity) -> TopologyNode {
            defer { port &+= 10 }
            guard let ports = PortRange(first: port, last: port &+ 9) else { fatalError("ports \(port) overflow") }
            return TopologyNode(
                id: id, role: role, region: regionName(region), api: EndpointAddress(host: "127.0.0.1", port: port),
                mediaHost: "127.0.0.1", announceIP: "127.0.0.1",
                ports: ports,
                workers: .perCore, capacity: capacity)
        }
        for number in 0..<count {
            nodes.append(node(origin(number), .origin, number, NodeCapacity(sessions: 50)))
            for n in 1...2 { nodes.append(node(relay(number, n), .relay, number, NodeCapacity(egressMbps: 1000))) }
            for n in 1...7 { nodes.append(node(edge(number, n), .edge, number, NodeCapacity(sessions: 100))) }
        }
        for number in 0..<count {
            for target in [number] + neighbours(number) {
                for n in 1...2 { links.append(LinkRule(from: origin(number), to: relay(target, n))) }
            }
            for n in 1...7 { links.append(LinkRule(from: origin(number), to: edge(number, n))) }
            for n in 1...2 {
                for other in neighbours(number) {
                    for m in 1...2 { links.append(LinkRule(from: relay(number, n), to: relay(other, m))) }
                }
                for m in 1...7 { links.append(LinkRule(from: relay(number, n), to: edge(number, m))) }
            }
        }
        return Topology(
            mesh: "synthetic", regions: regions, latencies: latencies, nodes: nodes, links: links,
            secrets: SecretNames(clusterSecretVariable: "CLUSTER", tokenSecretVariable: "TOKEN"))
    }
}
