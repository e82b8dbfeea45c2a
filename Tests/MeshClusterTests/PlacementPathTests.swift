import Testing

@testable import MeshCluster

/// Paths over the allowed links, joining the stream's tree at the nearest carrier.
@Suite struct PlacementPathTests {
    typealias Synthetic = PlacementSyntheticTopology
    static let index = PlacementIndex(topology: Synthetic.make())

    static func published(from origin: Int, carriers: Set<String> = []) -> PlacementState {
        PlacementState(streams: ["s": StreamPlacement(origin: Synthetic.origin(origin), carriers: carriers)])
    }

    @Test func edgeInTheOriginRegionIsFedDirectly() throws {
        let path = try PathPlanner(index: Self.index).plan(
            stream: "s", to: Synthetic.edge(0, 3), state: Self.published(from: 0))
        #expect(path.hops == [Synthetic.origin(0), Synthetic.edge(0, 3)])
        #expect(path.newLinks == 1)
    }

    @Test func farEdgeIsReachedThroughRelaysAlongTheLatencyShortestRoute() throws {
        let path = try PathPlanner(index: Self.index).plan(
            stream: "s", to: Synthetic.edge(22, 1), state: Self.published(from: 0))
        #expect(path.hops.first == Synthetic.origin(0))
        #expect(path.hops.last == Synthetic.edge(22, 1))
        #expect(path.hops.dropFirst().dropLast().allSatisfy { $0.hasPrefix("relay-") })
        // Relay links follow the grid (no diagonals): r00 → r22 is 4 steps of 10 ms.
        #expect(path.milliseconds == 40)
        #expect(path.newLinks == path.hops.count - 1)
    }

    @Test func secondEdgeInARegionJoinsAtTheExistingCarrier() throws {
        let planner = PathPlanner(index: Self.index)
        let first = try planner.plan(stream: "s", to: Synthetic.edge(27, 1), state: Self.published(from: 0))
        let carriers = Set(first.hops)
        let second = try planner.plan(
            stream: "s", to: Synthetic.edge(27, 2), state: Self.published(from: 0, carriers: carriers))
        let lastRelay = try #require(first.hops.dropLast().last)
        #expect(lastRelay.hasPrefix("relay-r27-"))
        #expect(second.joinsAt == lastRelay)
        #expect(second.newLinks == 1)
        #expect(second.hops == first.hops.dropLast() + [Synthetic.edge(27, 2)])
        // The first edge now carries the stream: nothing new, and the path is its branch of the tree.
        let again = try planner.plan(
            stream: "s", to: Synthetic.edge(27, 1), state: Self.published(from: 0, carriers: carriers))
        #expect(again.newLinks == 0)
        #expect(again.hops == first.hops)
    }

    @Test func treeReuseSurvivesAnUnequalParallelRoute() throws {
        // The existing branch runs through relay 2 of r01; with relay 1 idle and relay 2 at half
        // load a fresh plan would pick relay 1, but joining the tree at relay 2 adds one link, not two.
        let carriers: Set<String> = [Synthetic.relay(1, 2), Synthetic.edge(1, 1)]
        var state = Self.published(from: 0, carriers: carriers)
        state.nodes[Synthetic.relay(1, 2)] = NodeLoad(egressMbps: 500)
        let path = try PathPlanner(index: Self.index).plan(stream: "s", to: Synthetic.edge(1, 2), state: state)
        #expect(path.hops == [Synthetic.origin(0), Synthetic.relay(1, 2), Synthetic.edge(1, 2)])
        #expect(path.newLinks == 1)
    }

    @Test func drainingRelaysAreRoutedAround() throws {
        var state = Self.published(from: 0)
        state.nodes[Synthetic.relay(1, 1)] = NodeLoad(draining: true)
        let path = try PathPlanner(index: Self.index).plan(stream: "s", to: Synthetic.edge(1, 4), state: state)
        #expect(path.hops == [Synthetic.origin(0), Synthetic.relay(1, 2), Synthetic.edge(1, 4)])
    }

    @Test func noPathIsAnErrorWithReason() throws {
        var state = Self.published(from: 0)
        state.nodes[Synthetic.relay(33, 1)] = NodeLoad(alive: false)
        state.nodes[Synthetic.relay(33, 2)] = NodeLoad(draining: true)
        let planner = PathPlanner(index: Self.index)
        do {
            _ = try planner.plan(stream: "s", to: Synthetic.edge(33, 1), state: state)
            Issue.record("expected no path")
        } catch {
            #expect(error.reason.contains("no path"))
            #expect(error.reason.contains(Synthetic.relay(33, 1)))
        }
        #expect(throws: PlacementFailure.self) {
            try planner.plan(stream: "unpublished", to: Synthetic.edge(3, 1), state: state)
        }
        // An edge no link may feed.
        var topology = Synthetic.make()
        topology.links.removeAll { $0.to == Synthetic.edge(4, 4) }
        do {
            _ = try PathPlanner(index: PlacementIndex(topology: topology)).plan(
                stream: "s", to: Synthetic.edge(4, 4), state: state)
            Issue.record("expected no path")
        } catch {
            #expect(error.reason.contains("lets no node feed"))
        }
    }

    @Test func deadOriginIsAnError() {
        var state = Self.published(from: 0)
        state.nodes[Synthetic.origin(0)] = NodeLoad(alive: false)
        #expect(throws: PlacementFailure.self) {
            try PathPlanner(index: Self.index).plan(stream: "s", to: Synthetic.edge(0, 1), state: state)
        }
    }

    @Test func decisionRate() throws {
        // A sanity print, not an assertion: whole decisions (region, edge, path) per second.
        let resolver = RegionResolver(topology: Self.index.topology)
        let selector = EdgeSelector(index: Self.index)
        let planner = PathPlanner(index: Self.index)
        var carriers: Set<String> = []
        let clock = ContinuousClock()
        let rounds = 2000
        var checksum = 0
        let elapsed = try clock.measure {
            for round in 0..<rounds {
                let state = Self.published(from: 0, carriers: carriers)
                let region = resolver.resolve(ClientRequest(peerAddress: "10.\(round % 50).\(round % 256).9"))
                let edge = try selector.select(stream: "s", clientRegion: region.region ?? "r00", state: state)
                let path = try planner.plan(stream: "s", to: edge.nodeID, state: state)
                if round % 10 == 0 { carriers.formUnion(path.hops) }
                checksum &+= path.hops.count
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            "placement: \(rounds) decisions over 500 nodes in \(seconds) s = \(Int(Double(rounds) / seconds))/s (debug build; hops \(checksum))"
        )
        #expect(checksum > 0)
    }
}
