import MeshCluster
import Testing

/// `policies.record[].retention` (issue 14, item 6): an entry is a pattern or
/// `{match, retention}`; retention is a whole number and a unit; bad ones point at their line.
@Suite struct RecordRetentionPolicyTests {
    /// A recorder node (lines 12-19), so `record` is allowed; policies start at line 20.
    static let recorder = [
        "  - id: recorder-1",
        "    role: recorder",
        "    region: local",
        "    api: 127.0.0.1:8084",
        "    media: 127.0.0.1",
        "    announce: 127.0.0.1",
        "    ports: 40400-40499",
        "    storage: {path: /tmp/recordings}",
    ]

    @Test func entriesArePatternsOrMappingsWithARetention() throws {
        let loaded = try PolicyTopology.load(
            Self.recorder + ["policies:", "  record: [town-hall, {match: \"event-*\", retention: 7d}, {match: x-*}]"])
        #expect(loaded.policies.record.map(\.text) == ["town-hall", "event-*", "x-*"])
        #expect(loaded.policies.recordRetention?.map(\.seconds) == [7 * 86_400])
        #expect(loaded.policies.retentionSeconds(forPolicy: "event-*") == 604_800)
        #expect(loaded.policies.retentionSeconds(forPolicy: "town-hall") == nil)
        let plain = try PolicyTopology.load(Self.recorder + ["policies: {record: town-hall}"])
        #expect(plain.policies.record.map(\.text) == ["town-hall"])
        #expect(plain.policies.recordRetention == nil, "no retention: absent, so the JSON form is unchanged")
    }

    @Test func unitsAndLimits() {
        #expect(RecordRetention.seconds("30s") == 30)
        #expect(RecordRetention.seconds("90m") == 5400)
        #expect(RecordRetention.seconds("12h") == 43_200)
        #expect(RecordRetention.seconds("2w") == 1_209_600)
        #expect(RecordRetention.seconds("3650d") == RecordRetention.maximumSeconds)
        for bad in ["", "d", "0d", "-1d", "7", "7x", "7 d", "1.5h", "3651d", "99999999999s", "٣d"] {
            #expect(RecordRetention.seconds(bad) == nil, "\(bad)")
        }
        #expect(RecordRetention.text(604_800) == "1w")
        #expect(RecordRetention.text(172_800) == "2d")
        #expect(RecordRetention.text(5400) == "90m")
        #expect(RecordRetention.text(61) == "61s")
    }

    @Test func aBadRetentionOrEntryPointsAtItsLine() {
        let reported = PolicyTopology.reported(
            Self.recorder + ["policies:", "  record:", "    - {match: \"event-*\", retention: 7x}"])
        #expect(reported.map(\.line) == [22])
        #expect(reported.first?.message.hasPrefix("bad retention '7x'") == true)
        let unknown = PolicyTopology.reported(
            Self.recorder + ["policies:", "  record:", "    - {match: a, keep: 7d}"])
        #expect(unknown.first?.message.hasPrefix("unknown key 'keep' in record entry") == true)
        let missing = PolicyTopology.reported(Self.recorder + ["policies:", "  record:", "    - {retention: 7d}"])
        #expect(missing.first?.message == "record entry is missing required key 'match'")
    }

    @Test func theRetentionIsLiveInThePlan() throws {
        let running = try PolicyTopology.load(Self.recorder + ["policies: {record: [a]}"])
        let target = try PolicyTopology.load(Self.recorder + ["policies: {record: [{match: a, retention: 48h}]}"])
        #expect(
            TopologyPlan(from: running, to: target).changes == [
                TopologyChange(
                    action: .update, subject: .policies,
                    fields: [FieldChange(name: "record.retention", old: nil, new: "[a=2d]", isLive: true)],
                    rollout: .live)
            ])
    }
}
