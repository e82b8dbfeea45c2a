import Testing

@testable import MeshCluster

/// Nearest regions by the latency table, shortest paths for missing pairs, great-circle
/// estimates for regions the table does not connect.
@Suite struct PlacementDistanceTests {
    @Test func nearestRegionsComeInLatencyOrder() {
        let distances = RegionDistances(topology: PlacementSyntheticTopology.make())
        let order = distances.nearest(to: "r22")
        #expect(order.count == 50)
        #expect(order[0].region == "r22")
        // 4 direct neighbours at 10 ms (by name), then 4 diagonals at 14 ms.
        #expect(order[1...4].map(\.region) == ["r12", "r21", "r23", "r32"])
        #expect(order[5...8].map(\.region) == ["r11", "r13", "r31", "r33"])
        #expect(zip(order, order.dropFirst()).allSatisfy { $0.milliseconds <= $1.milliseconds })
    }

    @Test func missingPairsUseShortestPathsOverTheTable() {
        let distances = RegionDistances(topology: PlacementSyntheticTopology.make())
        // r00 → r49 is 4 diagonal steps (56 ms) plus 5 straight steps (50 ms).
        #expect(distances.milliseconds(from: "r00", to: "r49") == 106)
        #expect(distances.basis(from: "r00", to: "r49") == .shortestPath)
        #expect(distances.basis(from: "r00", to: "r01") == .table)
    }

    @Test func disconnectedRegionsFallBackToGreatCircle() {
        let topology = Topology(
            mesh: "t",
            regions: [
                Region(name: "paris", coordinates: GeoCoordinates(latitude: 48.8566, longitude: 2.3522)),
                Region(name: "berlin", coordinates: GeoCoordinates(latitude: 52.52, longitude: 13.405)),
                Region(name: "nowhere"),
            ],
            latencies: [], nodes: [], links: [],
            secrets: SecretNames(clusterSecretVariable: "C", tokenSecretVariable: "T"))
        let distances = RegionDistances(topology: topology)
        // Paris-Berlin is about 878 km great-circle: about 8.8 ms at 100 km/ms.
        let estimate = distances.milliseconds(from: "paris", to: "berlin")
        #expect(estimate > 8.5 && estimate < 9.1)
        #expect(distances.basis(from: "paris", to: "berlin") == .greatCircle)
        #expect(distances.milliseconds(from: "paris", to: "nowhere") == .infinity)
        #expect(distances.nearest(to: "paris").map(\.region) == ["paris", "berlin", "nowhere"])
    }
}
