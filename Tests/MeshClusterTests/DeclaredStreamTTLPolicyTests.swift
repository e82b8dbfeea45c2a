import Foundation
import MeshCluster
import Testing

/// `policies.declared_stream_ttl_seconds`: its default, its range with file:line errors, its
/// canonical JSON, and a change that running nodes take live.
@Suite struct DeclaredStreamTTLPolicyTests {
    private func topology(policies: [String]) -> String { PolicyTopology.yaml(policies: policies) }

    private func load(_ yaml: String) throws -> Topology {
        try TopologyLoader.load(yaml: yaml, file: "inline.yaml")
    }

    private func reported(_ yaml: String) -> [Reported] {
        do {
            _ = try TopologyLoader.load(yaml: yaml, file: "inline.yaml")
            return []
        } catch {
            return error.diagnostics.map(Reported.init)
        }
    }

    @Test func withoutTheKeyADeclarationLastsTenMinutes() throws {
        let loaded = try load(topology(policies: []))
        #expect(loaded.policies.declaredStreamTTLSeconds == nil)
        #expect(loaded.policies.declaredStreamTTL == 600)
    }

    @Test func theKeySetsTheLifetime() throws {
        let loaded = try load(topology(policies: ["policies: {declared_stream_ttl_seconds: 90}"]))
        #expect(loaded.policies.declaredStreamTTL == 90)
    }

    @Test func outOfRangeAndMisspelledValuesPointAtTheirLine() {
        #expect(
            reported(topology(policies: ["policies:", "  declared_stream_ttl_seconds: 0"])) == [
                Reported(13, 32, "'declared_stream_ttl_seconds' must be in 1-86400, found 0")
            ])
        let word = reported(topology(policies: ["policies:", "  declared_stream_ttl_seconds: ten"]))
        #expect(word.map(\.line) == [13])
        #expect(word.first?.message.hasPrefix("expected an integer for 'declared_stream_ttl_seconds'") == true)
        #expect(
            reported(topology(policies: ["policies:", "  declared_stream_ttl_second: 60"])) == [
                Reported(
                    13, 3,
                    "unknown key 'declared_stream_ttl_second' in 'policies'; did you mean 'declared_stream_ttl_seconds'?"
                )
            ])
    }

    @Test func canonicalJSONCarriesTheKeyOnlyWhenWritten() throws {
        let unset = try load(topology(policies: []))
        let unsetJSON = String(decoding: try TopologyJSON.encode(unset), as: UTF8.self)
        #expect(!unsetJSON.contains("declaredStreamTTLSeconds"))
        let set = try load(topology(policies: ["policies: {declared_stream_ttl_seconds: 90}"]))
        let json = try TopologyJSON.encode(set)
        #expect(String(decoding: json, as: UTF8.self).contains("\"declaredStreamTTLSeconds\":90"))
        #expect(try TopologyJSON.decode(json) == set)
    }

    @Test func changingTheLifetimeIsLive() throws {
        let running = try load(topology(policies: []))
        let target = try load(topology(policies: ["policies: {declared_stream_ttl_seconds: 120}"]))
        #expect(
            TopologyPlan(from: running, to: target).changes == [
                TopologyChange(
                    action: .update, subject: .policies,
                    fields: [FieldChange(name: "declared_stream_ttl_seconds", old: nil, new: "120", isLive: true)],
                    rollout: .live)
            ])
    }
}
