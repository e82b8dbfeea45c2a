import MeshCluster
import Testing

/// `policies.record[].layers` (issue 14, item 1): `top` (the default: the best live simulcast
/// layer) or `all` (every layer); anything else points at its line.
@Suite struct RecordLayersPolicyTests {
    @Test func anEntryMayKeepEveryLayer() throws {
        let loaded = try PolicyTopology.load(
            RecordRetentionPolicyTests.recorder + [
                "policies:",
                "  record: [town-hall, {match: \"sim-*\", layers: all}, {match: \"top-*\", layers: top, retention: 1d}]",
            ])
        #expect(loaded.policies.record.map(\.text) == ["town-hall", "sim-*", "top-*"])
        #expect(loaded.policies.recordsAllLayers(forPolicy: "sim-*"))
        #expect(!loaded.policies.recordsAllLayers(forPolicy: "top-*"))
        #expect(!loaded.policies.recordsAllLayers(forPolicy: "town-hall"))
        #expect(loaded.policies.retentionSeconds(forPolicy: "top-*") == 86_400)
        let plain = try PolicyTopology.load(RecordRetentionPolicyTests.recorder + ["policies: {record: town-hall}"])
        #expect(plain.policies.recordAllLayers == nil, "no layers: absent, so the JSON form is unchanged")
    }

    @Test func aBadLayersValuePointsAtItsLine() {
        let reported = PolicyTopology.reported(
            RecordRetentionPolicyTests.recorder + ["policies:", "  record:", "    - {match: \"sim-*\", layers: every}"])
        #expect(reported.map(\.line) == [22])
        #expect(reported.first?.message.hasPrefix("bad layers 'every'") == true)
    }

    @Test func theLayersAreLiveInThePlan() throws {
        let running = try PolicyTopology.load(RecordRetentionPolicyTests.recorder + ["policies: {record: [a]}"])
        let target = try PolicyTopology.load(
            RecordRetentionPolicyTests.recorder + ["policies: {record: [{match: a, layers: all}]}"])
        #expect(
            TopologyPlan(from: running, to: target).changes == [
                TopologyChange(
                    action: .update, subject: .policies,
                    fields: [FieldChange(name: "record.layers", old: nil, new: "[a=all]", isLive: true)],
                    rollout: .live)
            ])
    }
}
