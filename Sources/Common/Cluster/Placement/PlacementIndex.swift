/// The topology arranged for placement: region distances, nodes by region and role, and the
/// allowed links as adjacency lists over integer node indices. Build it once per topology
/// (and again when a new topology is applied); every decision then reads it without allocating maps.
public struct PlacementIndex: Sendable {
    /// The topology this index was built from.
    public let topology: Topology
    /// Latency between regions.
    public let distances: RegionDistances
    /// The index of each node id in `topology.nodes`.
    let nodeIndexByID: [String: Int]
    /// Each node's region index in `distances.names` (nodes name valid regions in a valid topology).
    let regionOfNode: [Int]
    /// Node indices per region index and role, in file order.
    let nodesByRegionAndRole: [[NodeRole: [Int]]]
    /// Downstream node indices each node may feed, in file order of the link rules.
    let downstream: [[Int]]

    /// Indexes a topology.
    public init(topology: Topology) {
        self.topology = topology
        distances = RegionDistances(topology: topology)
        var byID: [String: Int] = [:]
        for (position, node) in topology.nodes.enumerated() where byID[node.id] == nil { byID[node.id] = position }
        nodeIndexByID = byID
        let distances = self.distances
        regionOfNode = topology.nodes.map { distances.index(of: $0.region) ?? 0 }
        var grouped = [[NodeRole: [Int]]](repeating: [:], count: distances.names.count)
        for (position, node) in topology.nodes.enumerated() {
            guard let region = distances.index(of: node.region) else { continue }
            grouped[region][node.role, default: []].append(position)
        }
        nodesByRegionAndRole = grouped
        var out = [[Int]](repeating: [], count: topology.nodes.count)
        var seen = Set<LinkRule>()
        for rule in topology.links where seen.insert(rule).inserted {
            guard let from = byID[rule.from], let to = byID[rule.to], from != to else { continue }
            out[from].append(to)
        }
        downstream = out
    }

    /// The node with this index.
    func node(_ index: Int) -> TopologyNode { topology.nodes[index] }
}
