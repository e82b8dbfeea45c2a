import MeshCluster
import Testing

/// `policies.drain_deadline_seconds` (issue 15, item 6): how long a node asked to stop lets its
/// sessions run. Its default, its range with file:line errors, and a change nodes take live.
@Suite struct DrainDeadlinePolicyTests {
    @Test func withoutTheKeyANodeDrainsForThirtySeconds() throws {
        let loaded = try PolicyTopology.load([])
        #expect(loaded.policies.drainDeadlineSeconds == nil)
        #expect(loaded.policies.drainDeadline == 30)
    }

    @Test func theKeySetsTheDeadlineAndZeroMeansNoDrain() throws {
        #expect(try PolicyTopology.load(["policies: {drain_deadline_seconds: 120}"]).policies.drainDeadline == 120)
        #expect(try PolicyTopology.load(["policies: {drain_deadline_seconds: 0}"]).policies.drainDeadline == 0)
    }

    @Test func outOfRangeAndWrongValuesPointAtTheirLine() {
        #expect(
            PolicyTopology.reported(["policies:", "  drain_deadline_seconds: 3601"]) == [
                Reported(13, 27, "'drain_deadline_seconds' must be in 0-3600, found 3601")
            ])
        #expect(
            PolicyTopology.reported(["policies:", "  drain_deadline_seconds: -1"]) == [
                Reported(13, 27, "'drain_deadline_seconds' must be in 0-3600, found -1")
            ])
        let word = PolicyTopology.reported(["policies:", "  drain_deadline_seconds: soon"])
        #expect(word.map(\.line) == [13])
        #expect(word.first?.message.hasPrefix("expected an integer for 'drain_deadline_seconds'") == true)
    }

    @Test func changingTheDeadlineIsLive() throws {
        let running = try PolicyTopology.load([])
        let target = try PolicyTopology.load(["policies: {drain_deadline_seconds: 10}"])
        #expect(
            TopologyPlan(from: running, to: target).changes == [
                TopologyChange(
                    action: .update, subject: .policies,
                    fields: [FieldChange(name: "drain_deadline_seconds", old: nil, new: "10", isLive: true)],
                    rollout: .live)
            ])
    }
}
