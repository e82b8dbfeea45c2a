import MeshCluster
import Testing

/// `policies.drain_deadline_seconds` (issue 15, item 6): how long a node asked to stop lets its
/// sessions run. Its default, its range with file:line errors, and a change nodes take live.
@Suite struct DrainDeadlinePolicyTests {
    private func load(_ policies: [String]) throws -> Topology {
        try TopologyLoader.load(yaml: PolicyTopology.yaml(policies: policies), file: "inline.yaml")
    }

    private func reported(_ policies: [String]) -> [Reported] {
        do {
            _ = try TopologyLoader.load(yaml: PolicyTopology.yaml(policies: policies), file: "inline.yaml")
            return []
        } catch {
            return error.diagnostics.map(Reported.init)
        }
    }

    @Test func withoutTheKeyANodeDrainsForThirtySeconds() throws {
        let loaded = try load([])
        #expect(loaded.policies.drainDeadlineSeconds == nil)
        #expect(loaded.policies.drainDeadline == 30)
    }

    @Test func theKeySetsTheDeadlineAndZeroMeansNoDrain() throws {
        #expect(try load(["policies: {drain_deadline_seconds: 120}"]).policies.drainDeadline == 120)
        #expect(try load(["policies: {drain_deadline_seconds: 0}"]).policies.drainDeadline == 0)
    }

    @Test func outOfRangeAndWrongValuesPointAtTheirLine() {
        #expect(
            reported(["policies:", "  drain_deadline_seconds: 3601"]) == [
                Reported(13, 27, "'drain_deadline_seconds' must be in 0-3600, found 3601")
            ])
        #expect(
            reported(["policies:", "  drain_deadline_seconds: -1"]) == [
                Reported(13, 27, "'drain_deadline_seconds' must be in 0-3600, found -1")
            ])
        let word = reported(["policies:", "  drain_deadline_seconds: soon"])
        #expect(word.map(\.line) == [13])
        #expect(word.first?.message.hasPrefix("expected an integer for 'drain_deadline_seconds'") == true)
    }

    @Test func changingTheDeadlineIsLive() throws {
        let running = try load([])
        let target = try load(["policies: {drain_deadline_seconds: 10}"])
        #expect(
            TopologyPlan(from: running, to: target).changes == [
                TopologyChange(
                    action: .update, subject: .policies,
                    fields: [FieldChange(name: "drain_deadline_seconds", old: nil, new: "10", isLive: true)],
                    rollout: .live)
            ])
    }
}
