import MeshCluster
import Testing

/// `policies.record[].mp4` (issue 14, item 5, the post-processing job): `remux` or
/// `transcode` on a `{match, ...}` entry; anything else points at its line.
@Suite struct RecordMP4PolicyTests {
    @Test func anEntryMayAskForAnMP4() throws {
        let loaded = try PolicyTopology.load(
            RecordRetentionPolicyTests.recorder + [
                "policies:",
                "  record: [town-hall, {match: \"event-*\", retention: 7d, mp4: remux}, {match: x-*, mp4: transcode}]",
            ])
        #expect(loaded.policies.recordMP4?.map(\.mode) == [.remux, .transcode])
        #expect(loaded.policies.mp4(forPolicy: "event-*") == .remux)
        #expect(loaded.policies.mp4(forPolicy: "x-*") == .transcode)
        #expect(loaded.policies.mp4(forPolicy: "town-hall") == nil)
        #expect(loaded.policies.retentionSeconds(forPolicy: "event-*") == 604_800)
        let plain = try PolicyTopology.load(RecordRetentionPolicyTests.recorder + ["policies: {record: town-hall}"])
        #expect(plain.policies.recordMP4 == nil, "no mp4: absent, so the JSON form is unchanged")
    }

    @Test func aBadModePointsAtItsLine() {
        let reported = PolicyTopology.reported(
            RecordRetentionPolicyTests.recorder + ["policies:", "  record:", "    - {match: a, mp4: mov}"])
        #expect(reported.map(\.line) == [22])
        #expect(reported.first?.message == "bad mp4 'mov': remux or transcode")
    }

    @Test func theMP4IsLiveInThePlan() throws {
        let running = try PolicyTopology.load(RecordRetentionPolicyTests.recorder + ["policies: {record: [a]}"])
        let target = try PolicyTopology.load(
            RecordRetentionPolicyTests.recorder + ["policies: {record: [{match: a, mp4: transcode}]}"])
        #expect(
            TopologyPlan(from: running, to: target).changes == [
                TopologyChange(
                    action: .update, subject: .policies,
                    fields: [FieldChange(name: "record.mp4", old: nil, new: "[a=transcode]", isLive: true)],
                    rollout: .live)
            ])
    }
}
