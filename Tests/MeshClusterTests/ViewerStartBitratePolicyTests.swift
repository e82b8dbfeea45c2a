import MeshCluster
import Testing

/// `policies.viewer_start_bitrate` (issue 11): what a new viewer's bandwidth is assumed to be
/// before it reports any; unset by default, bounded, with file:line errors.
@Suite struct ViewerStartBitratePolicyTests {
    private func topology(policies: [String]) -> String { PolicyTopology.yaml(policies: policies) }

    @Test func unsetByDefaultAndReadWhenWritten() throws {
        #expect(
            try TopologyLoader.load(yaml: topology(policies: []), file: "t.yaml").policies.viewerStartBitrate == nil)
        let set = try TopologyLoader.load(
            yaml: topology(policies: ["policies: {viewer_start_bitrate: 800000}"]), file: "t.yaml")
        #expect(set.policies.viewerStartBitrate == 800_000)
    }

    @Test func outOfRangePointsAtItsLine() {
        do {
            _ = try TopologyLoader.load(
                yaml: topology(policies: ["policies:", "  viewer_start_bitrate: 1000"]), file: "t.yaml")
            Issue.record("a start of 1000 bit/s loaded")
        } catch {
            #expect(
                error.diagnostics.map(Reported.init) == [
                    Reported(13, 25, "'viewer_start_bitrate' must be in 50000-50000000, found 1000")
                ])
        }
    }
}
