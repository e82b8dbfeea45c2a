import Foundation
import MeshCluster
import Testing

/// The canonical JSON form that `apply` writes and Redis will hold.
@Suite struct TopologyJSONTests {
    @Test(arguments: ["topology/local.yaml", "topology/examples/multi-region.yaml"])
    func shippedTopologiesRoundTrip(file: String) throws {
        let topology = try TopologyLoader.load(path: FixtureFiles.path(file))
        let json = try TopologyJSON.encode(topology)
        let decoded = try TopologyJSON.decode(json)
        #expect(decoded == topology)
        // Canonical: encoding the decoded value gives the same bytes.
        #expect(try TopologyJSON.encode(decoded) == json)
        #expect(try TopologyJSON.decode(TopologyJSON.encode(topology, pretty: true)) == topology)
    }

    @Test func keysAreSortedAndValuesWrittenAsInYAML() throws {
        let topology = try TopologyLoader.load(path: FixtureFiles.path("topology/local.yaml"))
        let text = String(decoding: try TopologyJSON.encode(topology), as: UTF8.self)
        // Top-level keys in sorted order: "edge" < "latencies" < "links" < "mesh" < ...
        let order = ["\"edge\":", "\"latencies\":", "\"links\":", "\"mesh\":", "\"nodes\":", "\"policies\":"]
        let positions = order.compactMap { text.range(of: $0)?.lowerBound }
        #expect(positions.count == order.count)
        #expect(positions == positions.sorted())
        #expect(text.contains("\"api\":\"127.0.0.1:8080\""))
        #expect(text.contains("\"ports\":\"40000-40099\""))
        #expect(text.contains("\"cidrs\":[\"127.0.0.0/9\"]"))
        #expect(text.contains("\"record\":[\"rec-*\"]"))
        // Absent options are left out rather than written as null.
        #expect(!text.contains("null"))
    }

    @Test func workerPinningKeepsItsShape() throws {
        let topology = try TopologyLoader.load(path: FixtureFiles.path("topology/examples/multi-region.yaml"))
        let text = String(decoding: try TopologyJSON.encode(topology), as: UTF8.self)
        #expect(text.contains("\"workers\":{\"numa\":0}"))
        #expect(text.contains("\"workers\":{\"count\":4,\"numa\":1}"))
        #expect(text.contains("\"workers\":{\"cpus\":[2,3,4,5]}"))
    }

    @Test func decodingRechecksValueSyntax() throws {
        let topology = try TopologyLoader.load(path: FixtureFiles.path("topology/local.yaml"))
        let good = String(decoding: try TopologyJSON.encode(topology), as: UTF8.self)
        for (valid, broken) in [
            ("\"ports\":\"40000-40099\"", "\"ports\":\"40099-40000\""),
            ("\"api\":\"127.0.0.1:8080\"", "\"api\":\"127.0.0.1\""),
            ("\"cidrs\":[\"127.0.0.0/9\"]", "\"cidrs\":[\"127.0.0.0/40\"]"),
            ("\"record\":[\"rec-*\"]", "\"record\":[\"rec/*\"]"),
        ] {
            #expect(good.contains(valid))
            let bad = good.replacingOccurrences(of: valid, with: broken)
            #expect(throws: DecodingError.self) { try TopologyJSON.decode(Data(bad.utf8)) }
        }
    }
}
