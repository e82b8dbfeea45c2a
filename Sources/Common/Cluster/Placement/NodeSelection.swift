/// The node placement chose for a viewer or a publisher, and why.
public struct NodeSelection: Sendable, Equatable {
    /// The chosen node's id.
    public var nodeID: String
    /// The chosen node's region.
    public var region: String
    /// One-way latency from the client's region to the chosen node's region.
    public var regionMilliseconds: Double
    /// Whether the chosen node already carries the stream.
    public var isCarrier: Bool
    /// Nodes looked at and passed over, with the reason, in the order they were looked at.
    public var skipped: [SkippedNode]
    /// Human-readable steps of the decision, in order.
    public var steps: [String]
}

/// A node placement looked at and did not choose.
public struct SkippedNode: Sendable, Equatable {
    /// The node's id.
    public var nodeID: String
    /// Why it was not chosen.
    public var reason: String
}

/// Why placement found no node.
public struct PlacementFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// A one-line reason.
    public var reason: String
    /// The steps taken before giving up.
    public var steps: [String]
    /// Nodes looked at, with why each was passed over.
    public var skipped: [SkippedNode]

    /// Creates a failure.
    public init(reason: String, steps: [String] = [], skipped: [SkippedNode] = []) {
        self.reason = reason
        self.steps = steps
        self.skipped = skipped
    }

    /// The reason.
    public var description: String { reason }
}

/// Walks regions nearest first and picks, in the first region holding an eligible node of a
/// role, the best by: carrier of the stream first, then least loaded, then fewest sessions,
/// then id. A nearer region always wins over a carrier farther away: the viewer's latency
/// matters more than saving one relay link.
struct RegionalSearch {
    let index: PlacementIndex
    let check: CandidateCheck

    func select(
        role: NodeRole, clientRegion: String, state: PlacementState, carriers: Set<String>, label: String
    ) throws(PlacementFailure) -> NodeSelection {
        guard let from = index.distances.index(of: clientRegion) else {
            throw PlacementFailure(reason: "unknown region '\(clientRegion)'")
        }
        var steps: [String] = []
        var skipped: [SkippedNode] = []
        for regionIndex in index.distances.nearestIndices(to: from) {
            let candidates = index.nodesByRegionAndRole[regionIndex][role] ?? []
            guard !candidates.isEmpty else { continue }
            let regionName = index.distances.names[regionIndex]
            let latency = index.distances.milliseconds(fromIndex: from, toIndex: regionIndex)
            var eligible: [(node: TopologyNode, carrier: Bool, fraction: Double, sessions: Int)] = []
            var passed: [String] = []
            for candidate in candidates {
                let node = index.node(candidate)
                let load = state.load(of: node.id)
                if let why = check.ineligibility(of: node, load: load) {
                    skipped.append(SkippedNode(nodeID: node.id, reason: why.description))
                    passed.append("\(node.id) \(why)")
                } else {
                    eligible.append(
                        (node, carriers.contains(node.id), check.loadFraction(of: node, load: load), load.sessions))
                }
            }
            let basis = index.distances.basis(from: clientRegion, to: regionName)
            let place = "region \(regionName) (\(Ineligibility.number(latency)) ms, \(basis.rawValue))"
            guard !eligible.isEmpty else {
                steps.append("\(place): no \(label) with headroom: \(passed.joined(separator: "; "))")
                continue
            }
            eligible.sort { l, r in
                if l.carrier != r.carrier { return l.carrier }
                if l.fraction != r.fraction { return l.fraction < r.fraction }
                if l.sessions != r.sessions { return l.sessions < r.sessions }
                return l.node.id < r.node.id
            }
            let best = eligible[0]
            var line = "\(place): \(eligible.count) of \(candidates.count) \(label)s eligible"
            if !passed.isEmpty { line += " (skipped: \(passed.joined(separator: "; ")))" }
            steps.append(line)
            let carrierCount = eligible.count(where: { $0.carrier })
            let why =
                best.carrier
                ? "already carries the stream (\(carrierCount) eligible carrier\(carrierCount == 1 ? "" : "s")), "
                : (carriers.isEmpty ? "" : "no eligible carrier here, ")
            steps.append(
                "chose \(best.node.id): \(why)load \(Ineligibility.percent(best.fraction)), \(best.sessions) sessions")
            for other in eligible.dropFirst() {
                let reason =
                    best.carrier && !other.carrier
                    ? "not a carrier"
                    : "more loaded or later by id (load \(Ineligibility.percent(other.fraction)), \(other.sessions) sessions)"
                skipped.append(SkippedNode(nodeID: other.node.id, reason: reason))
            }
            return NodeSelection(
                nodeID: best.node.id, region: regionName, regionMilliseconds: latency, isCarrier: best.carrier,
                skipped: skipped, steps: steps)
        }
        throw PlacementFailure(reason: "no \(label) with headroom in any region", steps: steps, skipped: skipped)
    }
}

/// Chooses the edge a viewer of a stream is sent to.
public struct EdgeSelector: Sendable {
    /// The indexed topology.
    public let index: PlacementIndex
    /// The headroom rules.
    public var check: CandidateCheck

    /// Creates a selector.
    public init(index: PlacementIndex, check: CandidateCheck = CandidateCheck()) {
        self.index = index
        self.check = check
    }

    /// The edge for a viewer of `stream` in `clientRegion`: the nearest region with an edge
    /// that is alive, not draining and has headroom; there a carrier of the stream first,
    /// then the least loaded, then the lowest id.
    public func select(stream: String, clientRegion: String, state: PlacementState) throws(PlacementFailure)
        -> NodeSelection
    {
        try RegionalSearch(index: index, check: check).select(
            role: .edge, clientRegion: clientRegion, state: state, carriers: state.carriers(of: stream), label: "edge")
    }
}

/// Chooses the origin a publisher of a stream is sent to.
public struct OriginSelector: Sendable {
    /// The indexed topology.
    public let index: PlacementIndex
    /// The headroom rules.
    public var check: CandidateCheck

    /// Creates a selector.
    public init(index: PlacementIndex, check: CandidateCheck = CandidateCheck()) {
        self.index = index
        self.check = check
    }

    /// The origin for a publisher of `stream` in `clientRegion`. A stream has one origin, so
    /// when the snapshot already names a live origin for it that one is kept (a reconnecting
    /// publisher lands where its viewers' tree is rooted); otherwise the least loaded origin
    /// with headroom in the nearest region that has one.
    public func select(stream: String, clientRegion: String, state: PlacementState) throws(PlacementFailure)
        -> NodeSelection
    {
        if let existing = state.streams[stream]?.origin, let position = index.nodeIndexByID[existing] {
            let node = index.node(position)
            let load = state.load(of: existing)
            if load.alive, !load.draining {
                let latency = index.distances.milliseconds(from: clientRegion, to: node.region)
                return NodeSelection(
                    nodeID: existing, region: node.region, regionMilliseconds: latency, isCarrier: true, skipped: [],
                    steps: ["stream '\(stream)' is already rooted at \(existing): keep it"])
            }
        }
        return try RegionalSearch(index: index, check: check).select(
            role: .origin, clientRegion: clientRegion, state: state, carriers: [], label: "origin")
    }
}
