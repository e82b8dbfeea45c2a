import Testing

@testable import MeshCluster

/// Edge and origin choice: nearest region with headroom, carriers first, then least loaded.
@Suite struct PlacementSelectionTests {
    typealias Synthetic = PlacementSyntheticTopology
    static let index = PlacementIndex(topology: Synthetic.make())

    /// Every edge of a region at the given load.
    static func region(_ number: Int, edges load: NodeLoad) -> [String: NodeLoad] {
        var nodes: [String: NodeLoad] = [:]
        for n in 1...7 { nodes[Synthetic.edge(number, n)] = load }
        return nodes
    }

    @Test func emptyStatePicksTheFirstEdgeOfTheClientRegion() throws {
        let choice = try EdgeSelector(index: Self.index).select(stream: "s", clientRegion: "r22", state: .empty)
        #expect(choice.nodeID == Synthetic.edge(22, 1))
        #expect(choice.region == "r22")
        #expect(choice.regionMilliseconds == 0)
    }

    @Test func fullEdgesAreExcludedAndTheNearestRegionWithRoomWins() throws {
        var nodes = Self.region(22, edges: NodeLoad(sessions: 100))
        nodes[Synthetic.edge(22, 6)] = NodeLoad(sessions: 99)
        let oneLeft = try EdgeSelector(index: Self.index).select(
            stream: "s", clientRegion: "r22", state: PlacementState(nodes: nodes))
        #expect(oneLeft.nodeID == Synthetic.edge(22, 6))
        #expect(oneLeft.skipped.contains(SkippedNode(nodeID: Synthetic.edge(22, 1), reason: "full (100/100 sessions)")))

        nodes[Synthetic.edge(22, 6)] = NodeLoad(sessions: 100)
        let spill = try EdgeSelector(index: Self.index).select(
            stream: "s", clientRegion: "r22", state: PlacementState(nodes: nodes))
        // r12 is the first 10 ms neighbour by name.
        #expect(spill.region == "r12")
        #expect(spill.regionMilliseconds == 10)
        #expect(spill.steps.first?.contains("no edge with headroom") == true)
    }

    @Test func egressAtCapacityIsExcluded() throws {
        var topology = Synthetic.make()
        for position in topology.nodes.indices where topology.nodes[position].role == .edge {
            topology.nodes[position].capacity = NodeCapacity(sessions: 100, egressMbps: 500)
        }
        let state = PlacementState(nodes: [Synthetic.edge(5, 1): NodeLoad(sessions: 1, egressMbps: 500)])
        let choice = try EdgeSelector(index: PlacementIndex(topology: topology)).select(
            stream: "s", clientRegion: "r05", state: state)
        #expect(choice.nodeID == Synthetic.edge(5, 2))
        #expect(choice.skipped.first?.reason.hasPrefix("egress full") == true)
    }

    @Test func drainingAndDeadEdgesAreExcluded() throws {
        let state = PlacementState(nodes: [
            Synthetic.edge(7, 1): NodeLoad(draining: true),
            Synthetic.edge(7, 2): NodeLoad(alive: false),
        ])
        let choice = try EdgeSelector(index: Self.index).select(stream: "s", clientRegion: "r07", state: state)
        #expect(choice.nodeID == Synthetic.edge(7, 3))
        #expect(choice.skipped.prefix(2).map(\.reason) == ["draining", "not alive"])
        // A registry snapshot that does not list a node treats it as gone.
        let strict = PlacementState(nodes: [Synthetic.edge(7, 4): NodeLoad(sessions: 50)], unlistedNodesAlive: false)
        #expect(
            try EdgeSelector(index: Self.index).select(stream: "s", clientRegion: "r07", state: strict).nodeID
                == Synthetic.edge(7, 4))
    }

    @Test func carrierOfTheStreamIsPreferredOverALessLoadedEdge() throws {
        let state = PlacementState(
            nodes: [Synthetic.edge(30, 5): NodeLoad(sessions: 80)],
            streams: ["s": StreamPlacement(origin: Synthetic.origin(0), carriers: [Synthetic.edge(30, 5)])])
        let selector = EdgeSelector(index: Self.index)
        let choice = try selector.select(stream: "s", clientRegion: "r30", state: state)
        #expect(choice.nodeID == Synthetic.edge(30, 5))
        #expect(choice.isCarrier)
        // Another stream has no carrier there: the idle edge wins.
        #expect(try selector.select(stream: "other", clientRegion: "r30", state: state).nodeID == Synthetic.edge(30, 1))
    }

    @Test func nearerRegionBeatsACarrierFartherAway() throws {
        let state = PlacementState(streams: [
            "s": StreamPlacement(origin: Synthetic.origin(0), carriers: [Synthetic.edge(31, 1)])
        ])
        let choice = try EdgeSelector(index: Self.index).select(stream: "s", clientRegion: "r30", state: state)
        #expect(choice.region == "r30")
        #expect(!choice.isCarrier)
    }

    @Test func leastLoadedEdgeWinsWithStableTieBreak() throws {
        var nodes: [String: NodeLoad] = [:]
        for n in 1...7 { nodes[Synthetic.edge(14, n)] = NodeLoad(sessions: 90 - n * 10) }
        nodes[Synthetic.edge(14, 3)] = NodeLoad(sessions: 20)
        // Edges 3 and 7 both hold 20 sessions, the fewest: the lower id wins the tie.
        let choice = try EdgeSelector(index: Self.index).select(
            stream: "s", clientRegion: "r14", state: PlacementState(nodes: nodes))
        #expect(choice.nodeID == Synthetic.edge(14, 3))
        nodes[Synthetic.edge(14, 7)] = NodeLoad(sessions: 19)
        let lighter = try EdgeSelector(index: Self.index).select(
            stream: "s", clientRegion: "r14", state: PlacementState(nodes: nodes))
        #expect(lighter.nodeID == Synthetic.edge(14, 7))
    }

    @Test func noEdgeAnywhereIsAnErrorWithReason() {
        let state = PlacementState(unlistedNodesAlive: false)
        #expect(throws: PlacementFailure.self) {
            try EdgeSelector(index: Self.index).select(stream: "s", clientRegion: "r01", state: state)
        }
        #expect(throws: PlacementFailure(reason: "unknown region 'mars'")) {
            try EdgeSelector(index: Self.index).select(stream: "s", clientRegion: "mars", state: .empty)
        }
    }

    @Test func publisherGoesToAnOriginInOrNearItsRegion() throws {
        let selector = OriginSelector(index: Self.index)
        #expect(try selector.select(stream: "s", clientRegion: "r18", state: .empty).nodeID == Synthetic.origin(18))
        let full = PlacementState(nodes: [Synthetic.origin(18): NodeLoad(sessions: 50)])
        // r08 is r18's first 10 ms neighbour by name.
        #expect(try selector.select(stream: "s", clientRegion: "r18", state: full).nodeID == Synthetic.origin(8))
        let rooted = PlacementState(streams: ["s": StreamPlacement(origin: Synthetic.origin(40))])
        #expect(try selector.select(stream: "s", clientRegion: "r18", state: rooted).nodeID == Synthetic.origin(40))
    }
}
