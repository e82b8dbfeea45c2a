import Testing

@testable import MeshCluster

@Suite struct NearestNameTests {
    @Test func transpositionCountsAsOneEdit() {
        #expect(NearestName.editDistance("us-wset", "us-west") == 1)
        #expect(NearestName.editDistance("annonce", "announce") == 1)
        #expect(NearestName.editDistance("", "abc") == 3)
        #expect(NearestName.editDistance("kitten", "sitting") == 3)
    }

    @Test func suggestsOnlyCloseNames() {
        #expect(NearestName.suggestion(for: "us-wset", among: ["eu-west", "us-west"]) == "us-west")
        #expect(NearestName.suggestion(for: "edge-z", among: ["origin-1", "relay-1"]) == nil)
        #expect(NearestName.suggestion(for: "id", among: ["ip"]) == "ip")
        #expect(NearestName.suggestion(for: "xy", among: ["ab"]) == nil)
    }
}
