import Foundation
import Testing

@testable import MeshBench

@Suite("shipped scenarios")
struct ScenarioShippedTests {
    static let names = [
        "fanout", "audience", "rooms", "cascade", "churn", "failover", "join-burst", "turn", "turn-tcp", "record",
    ]

    @Test("every file in bench/scenarios validates", arguments: names)
    func validates(name: String) throws {
        let path = repositoryRoot + "/bench/scenarios/\(name).yaml"
        let loaded = try ScenarioLoader.load(path: path, baseDirectory: repositoryRoot)
        #expect(loaded.scenario.name == name)
        #expect(loaded.topology != nil)
    }

    @Test("the list above covers the folder, so a new scenario cannot skip validation")
    func coversFolder() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/bench/scenarios")
            .filter { $0.hasSuffix(".yaml") }
        #expect(Set(files) == Set(Self.names.map { "\($0).yaml" }))
    }

    @Test("fanout is one publisher at 1500 kbit/s and 200 viewers on one node for 30 s; failover kills relay-1 at 10 s")
    func shape() throws {
        let fanout = try ScenarioLoader.load(
            path: repositoryRoot + "/bench/scenarios/fanout.yaml", baseDirectory: repositoryRoot
        ).scenario
        #expect(fanout.publishers.count == 1 && fanout.publishers.video.bitrateKbps == 1500)
        #expect(
            fanout.viewers.count == 200 && fanout.viewers.enter == .node("origin-1") && fanout.durationSeconds == 30)
        let failover = try ScenarioLoader.load(
            path: repositoryRoot + "/bench/scenarios/failover.yaml", baseDirectory: repositoryRoot
        ).scenario
        #expect(failover.faults == [ScheduledFault(atSeconds: 10, action: .kill(node: "relay-1"))])
    }

    @Test("record: 20 publishers at 1500 kbit/s, no viewers, origin and recorder measured, every stream recorded")
    func recordShape() throws {
        let loaded = try ScenarioLoader.load(
            path: repositoryRoot + "/bench/scenarios/record.yaml", baseDirectory: repositoryRoot)
        let record = loaded.scenario
        #expect(record.publishers.count == 20 && record.publishers.video.bitrateKbps == 1500)
        #expect(record.viewers.count == 0 && record.target.underTest == ["origin-1", "recorder-1"])
        let recorder = try #require(loaded.topology?.nodes.first { $0.id == "recorder-1" })
        #expect(recorder.role.rawValue == "recorder" && recorder.storage != nil && recorder.workers.count == 1)
        // Every stream the scenario publishes matches the topology's record policy.
        let patterns = loaded.topology?.policies.record ?? []
        #expect(!patterns.isEmpty)
        for index in [0, 7, 149] {
            #expect(patterns.contains { $0.matches(record.publishers.streamName(index)) })
        }
    }
}
