/// Plans how a stream reaches a node: the cheapest chain of new relay links from the
/// stream's existing tree (its origin and carriers) to the target, over the links the
/// topology allows.
///
/// Multi-source Dijkstra. Every live carrier is a source whose starting cost is its latency
/// from the origin through the tree as it stands (shortest over links between carriers); its
/// links and load are already paid for. Each new link `u → v` costs the latency between the
/// regions of `u` and `v`, plus `loadPenaltyMilliseconds` times `v`'s load fraction, plus
/// `newLinkMilliseconds`, so that at equal latency joining the tree at a carrier beats
/// building a parallel branch back to the origin. Nodes that are dead, draining or full take
/// no new links, except the target itself when it is only full (its viewers are already placed).
public struct PathPlanner: Sendable {
    /// The indexed topology.
    public let index: PlacementIndex
    /// The headroom rules for intermediate nodes.
    public var check: CandidateCheck
    /// Milliseconds added per new link at full load (scaled by the load fraction).
    public var loadPenaltyMilliseconds: Double
    /// Milliseconds charged per new link, whatever its latency.
    public var newLinkMilliseconds: Double

    /// Creates a planner.
    public init(
        index: PlacementIndex, check: CandidateCheck = CandidateCheck(), loadPenaltyMilliseconds: Double = 20,
        newLinkMilliseconds: Double = 1
    ) {
        self.index = index
        self.check = check
        self.loadPenaltyMilliseconds = loadPenaltyMilliseconds
        self.newLinkMilliseconds = newLinkMilliseconds
    }

    /// The path for `stream` to reach `target`.
    public func plan(stream: String, to target: String, state: PlacementState) throws(PlacementFailure) -> PlannedPath {
        guard let placement = state.streams[stream] else {
            throw PlacementFailure(reason: "stream '\(stream)' has no origin in the live state (not published?)")
        }
        guard let originIndex = index.nodeIndexByID[placement.origin] else {
            throw PlacementFailure(reason: "origin '\(placement.origin)' of stream '\(stream)' is not in the topology")
        }
        guard let targetIndex = index.nodeIndexByID[target] else {
            throw PlacementFailure(reason: "node '\(target)' is not in the topology")
        }
        let originLoad = state.load(of: placement.origin)
        guard originLoad.alive else {
            throw PlacementFailure(reason: "origin '\(placement.origin)' of stream '\(stream)' is not alive")
        }
        let nodeCount = index.topology.nodes.count
        var steps: [String] = []
        // Which nodes may be used, and each node's load fraction, computed once per plan.
        var usable = [Bool](repeating: false, count: nodeCount)
        var fraction = [Double](repeating: 0, count: nodeCount)
        for position in 0..<nodeCount {
            let node = index.node(position)
            let load = state.load(of: node.id)
            fraction[position] = check.loadFraction(of: node, load: load)
            if position == targetIndex {
                usable[position] = load.alive && !load.draining
            } else {
                usable[position] = check.ineligibility(of: node, load: load) == nil
            }
        }
        guard usable[targetIndex] else {
            throw PlacementFailure(reason: "target '\(target)' is not alive or is draining")
        }

        // The tree as it stands: live, non-draining carriers reachable from the origin over carrier links.
        var isCarrier = [Bool](repeating: false, count: nodeCount)
        isCarrier[originIndex] = true
        for carrier in placement.carriers {
            guard let position = index.nodeIndexByID[carrier] else { continue }
            let load = state.load(of: carrier)
            isCarrier[position] = load.alive && !load.draining
        }
        var treeCost = [Double](repeating: .infinity, count: nodeCount)
        var treeParent = [Int](repeating: -1, count: nodeCount)
        treeCost[originIndex] = 0
        run(from: [originIndex], cost: &treeCost, parent: &treeParent) { from, to in
            isCarrier[to] ? latency(from, to) : nil
        }
        var stranded: [String] = []
        for position in 0..<nodeCount where isCarrier[position] && treeCost[position] == .infinity {
            stranded.append(index.node(position).id)
        }
        if !stranded.isEmpty {
            steps.append(
                "carriers not reachable from the origin through the tree, not joined at: \(stranded.sorted().joined(separator: ", "))"
            )
        }

        if treeCost[targetIndex] < .infinity {
            var treeHops: [Int] = []
            var back = targetIndex
            while back >= 0 {
                treeHops.append(back)
                back = treeParent[back]
            }
            steps.append("\(target) already carries '\(stream)': nothing to add")
            return PlannedPath(
                hops: treeHops.reversed().map { index.node($0).id }, joinsAt: target, newLinks: 0,
                milliseconds: treeCost[targetIndex], steps: steps)
        }

        // New links from any carrier toward the target.
        var cost = [Double](repeating: .infinity, count: nodeCount)
        var parent = [Int](repeating: -1, count: nodeCount)
        // A full carrier takes no new downstream link; the origin always may, since every
        // stream has to leave it somehow.
        let sources = (0..<nodeCount).filter { treeCost[$0] < .infinity && (usable[$0] || $0 == originIndex) }
        for source in sources { cost[source] = treeCost[source] }
        steps.append(
            "sources: origin \(placement.origin) and \(sources.count - 1) carrier\(sources.count == 2 ? "" : "s") of '\(stream)'"
        )
        let penalty = loadPenaltyMilliseconds
        let linkCharge = newLinkMilliseconds
        run(from: sources, cost: &cost, parent: &parent) { from, to in
            guard usable[to] else { return nil }
            return latency(from, to) + penalty * fraction[to] + linkCharge
        }
        guard cost[targetIndex] < .infinity else {
            let upstream = (0..<nodeCount).filter { index.downstream[$0].contains(targetIndex) }.map {
                index.node($0).id
            }
            let detail =
                upstream.isEmpty
                ? "the topology lets no node feed \(target)"
                : "no usable chain of allowed links from the tree reaches any of its upstreams (\(upstream.joined(separator: ", ")))"
            throw PlacementFailure(reason: "no path for '\(stream)' to \(target): \(detail)", steps: steps)
        }
        var newHops: [Int] = []
        var cursor = targetIndex
        while parent[cursor] >= 0 {
            newHops.append(cursor)
            cursor = parent[cursor]
        }
        let join = cursor
        var treeHops: [Int] = []
        var back = join
        while back >= 0 {
            treeHops.append(back)
            back = treeParent[back]
        }
        let hops = (treeHops.reversed() + newHops.reversed()).map { index.node($0).id }
        let joinID = index.node(join).id
        steps.append(
            join == originIndex && treeHops.count == 1
                ? "joins at the origin \(joinID)"
                : "joins the tree at carrier \(joinID) (\(Ineligibility.number(treeCost[join])) ms from the origin)")
        var previous = join
        for hop in newHops.reversed() {
            let node = index.node(hop)
            steps.append(
                "new link \(index.node(previous).id) → \(node.id): \(Ineligibility.number(latency(previous, hop))) ms, load \(Ineligibility.percent(fraction[hop]))"
            )
            previous = hop
        }
        let endToEnd = zip(hops.dropLast(), hops.dropFirst()).reduce(0.0) { sum, pair in
            guard let a = index.nodeIndexByID[pair.0], let b = index.nodeIndexByID[pair.1] else { return sum }
            return sum + latency(a, b)
        }
        return PlannedPath(
            hops: hops, joinsAt: joinID, newLinks: newHops.count, milliseconds: endToEnd, steps: steps)
    }

    /// Latency of a link between two nodes: between their regions.
    private func latency(_ from: Int, _ to: Int) -> Double {
        index.distances.milliseconds(fromIndex: index.regionOfNode[from], toIndex: index.regionOfNode[to])
    }

    /// Dijkstra from `sources` (their costs already in `cost`) over allowed links; `weight`
    /// returns `nil` for a link that may not be used. Ties keep the first parent found, and
    /// the heap orders equal costs by node index, so plans are deterministic.
    private func run(
        from sources: [Int], cost: inout [Double], parent: inout [Int], weight: (Int, Int) -> Double?
    ) {
        var heap = MinHeap()
        for source in sources { heap.push(cost[source], source) }
        var done = [Bool](repeating: false, count: cost.count)
        while let (distance, node) = heap.pop() {
            if done[node] || distance > cost[node] { continue }
            done[node] = true
            for next in index.downstream[node] where !done[next] {
                guard let step = weight(node, next) else { continue }
                let candidate = distance + step
                if candidate < cost[next] {
                    cost[next] = candidate
                    parent[next] = node
                    heap.push(candidate, next)
                }
            }
        }
    }
}

/// A path for a stream: hops from the origin to the target, and which of them are new.
public struct PlannedPath: Sendable, Equatable {
    /// Node ids from the origin to the target, the existing tree part first.
    public var hops: [String]
    /// The carrier (or origin) where the new links start.
    public var joinsAt: String
    /// How many relay links must be set up (the last `newLinks` hops are new).
    public var newLinks: Int
    /// The sum of link latencies from the origin to the target.
    public var milliseconds: Double
    /// Human-readable steps of the plan.
    public var steps: [String]
}

/// A binary min-heap of (cost, node) pairs ordered by cost, then node index.
struct MinHeap {
    private var items: [(cost: Double, node: Int)] = []

    private static func less(_ a: (cost: Double, node: Int), _ b: (cost: Double, node: Int)) -> Bool {
        a.cost != b.cost ? a.cost < b.cost : a.node < b.node
    }

    mutating func push(_ cost: Double, _ node: Int) {
        items.append((cost, node))
        var child = items.count - 1
        while child > 0 {
            let up = (child - 1) / 2
            guard Self.less(items[child], items[up]) else { break }
            items.swapAt(child, up)
            child = up
        }
    }

    mutating func pop() -> (Double, Int)? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < items.count, Self.less(items[left], items[smallest]) { smallest = left }
                if right < items.count, Self.less(items[right], items[smallest]) { smallest = right }
                if smallest == parent { break }
                items.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return (top.cost, top.node)
    }
}
