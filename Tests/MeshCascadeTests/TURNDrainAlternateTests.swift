import MeshCluster
import MeshTURN
import MeshWire
import Testing

@testable import MeshCascade

/// Where a draining node sends new TURN allocations (RFC 8656 §7.2 Try Alternate, issue 13
/// item 5): the node placement would choose for a client of its region, with a UDP TURN
/// listener, never itself.
@Suite struct TURNDrainAlternateTests {
    /// Region a (edge-a, edge-a2, edge-notturn) and region b (edge-b) 12 ms apart.
    static func topology() throws -> Topology {
        let yaml = """
            mesh: drain
            regions:
              - name: a
                cidrs: [192.0.2.0/24]
              - name: b
                cidrs: [198.51.100.0/24, "2001:db8::/32"]
            latency:
              - between: [a, b]
                ms: 12
            secrets: {cluster: CLUSTER, token: TOKEN, turn: TURN_SECRET}
            nodes:
              - {id: edge-a, role: edge, region: a, api: 127.0.0.1:8081, media: 127.0.0.1, announce: 198.51.100.1,
                 ports: 40000-40009, workers: 1, turn: {udp: 3478}}
              - {id: edge-a2, role: edge, region: a, api: 127.0.0.1:8082, media: 127.0.0.1, announce: 198.51.100.2,
                 ports: 40010-40019, workers: 1, turn: {udp: 3479, tcp: 3479}}
              - {id: edge-notturn, role: edge, region: a, api: 127.0.0.1:8083, media: 127.0.0.1,
                 announce: 198.51.100.3, ports: 40020-40029, workers: 1}
              - {id: edge-b, role: edge, region: b, api: 127.0.0.1:8084, media: 127.0.0.1, announce: 198.51.100.4,
                 ports: 40030-40039, workers: 1, turn: {udp: 3480}}

            """
        return try TopologyLoader.load(yaml: yaml, file: "inline.yaml")
    }

    static func choose(
        _ nodes: [String: NodeLoad], clientRegion: String = "a"
    ) throws -> (nodeID: String, address: STUNTransportAddress)? {
        let topology = try topology()
        let node = try #require(topology.node(id: "edge-a"))
        return TURNDrainAlternate.choose(
            for: node, clientRegion: clientRegion, topology: topology, index: PlacementIndex(topology: topology),
            state: PlacementState(nodes: nodes, unlistedNodesAlive: false))
    }

    /// The least loaded edge of the region that runs UDP TURN; the one without TURN is passed
    /// over even when it is the least loaded; this node never, though it still looks idle.
    @Test func sameRegionWithTURN() throws {
        let choice = try #require(
            try Self.choose([
                "edge-a": NodeLoad(), "edge-a2": NodeLoad(sessions: 5), "edge-notturn": NodeLoad(sessions: 0),
                "edge-b": NodeLoad(),
            ]))
        #expect(choice.nodeID == "edge-a2")
        #expect(choice.address == STUNTransportAddress(ip: .v4(0xC633_6402), port: 3479))
    }

    /// With the region's other TURN edge draining too, the nearest region's edge is chosen.
    @Test func nearestRegionWhenTheRegionIsDraining() throws {
        let choice = try #require(
            try Self.choose([
                "edge-a": NodeLoad(), "edge-a2": NodeLoad(draining: true), "edge-notturn": NodeLoad(),
                "edge-b": NodeLoad(sessions: 40),
            ]))
        #expect(choice.nodeID == "edge-b")
        #expect(choice.address == STUNTransportAddress(ip: .v4(0xC633_6404), port: 3480))
    }

    /// No live node with TURN: no alternate (the allocation is served here).
    @Test func noneLeft() throws {
        #expect(try Self.choose(["edge-a": NodeLoad(), "edge-notturn": NodeLoad()]) == nil)
    }

    /// Issue 13 item 5: the node placement would choose *for the client*: a client of region b
    /// (either of its blocks) goes to edge-b, a client of region a and one in no block to the
    /// choice for this node's region (edge-a2).
    @Test func eachRegionsClientsGoWherePlacementWouldSendThem() throws {
        let topology = try Self.topology()
        let node = try #require(topology.node(id: "edge-a"))
        let state = PlacementState(
            nodes: ["edge-a": NodeLoad(), "edge-a2": NodeLoad(), "edge-notturn": NodeLoad(), "edge-b": NodeLoad()],
            unlistedNodesAlive: false)
        let choice = try #require(
            TURNDrainAlternate.alternates(
                for: node, topology: topology, index: PlacementIndex(topology: topology), state: state))
        #expect(
            choice.chosen == [
                "a": "edge-a2 at 198.51.100.2:3479", "b": "edge-b at 198.51.100.4:3480",
                "others": "edge-a2 at 198.51.100.2:3479",
            ])
        let edgeA2 = STUNTransportAddress(ip: .v4(0xC633_6402), port: 3479)
        let edgeB = STUNTransportAddress(ip: .v4(0xC633_6404), port: 3480)
        let alternates = choice.alternates
        #expect(alternates.alternate(for: try #require(IPAddressText.parse("198.51.100.9"))) == edgeB)
        #expect(alternates.alternate(for: try #require(IPAddressText.parse("2001:db8::9"))) == edgeB)
        #expect(alternates.alternate(for: try #require(IPAddressText.parse("192.0.2.9"))) == edgeA2)
        #expect(alternates.alternate(for: try #require(IPAddressText.parse("203.0.113.9"))) == edgeA2)
    }
}
