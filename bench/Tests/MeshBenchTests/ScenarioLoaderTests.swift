import MeshCluster
import Testing

@testable import MeshBench

/// The repository root, where `topology/` lives, found from this file's path
/// (bench/Tests/MeshBenchTests/ScenarioLoaderTests.swift).
let repositoryRoot: String = {
    var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(4)
    return parts.joined(separator: "/")
}()

/// Loads scenario text and returns its diagnostics as `line:column: message` (file name left
/// out), or an empty list when it loads.
func scenarioErrors(_ yaml: String) -> [String] {
    do {
        _ = try ScenarioLoader.load(yaml: yaml, file: "s.yaml", baseDirectory: repositoryRoot)
        return []
    } catch {
        return error.diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" }
    }
}

@Suite("scenario files: every problem with its line and column")
struct ScenarioLoaderTests {
    @Test("a minimal scenario loads with the documented defaults")
    func defaults() throws {
        let loaded = try ScenarioLoader.load(
            yaml: "name: n\ntarget: {url: http://127.0.0.1:8080}\nduration_seconds: 5\nviewers: {count: 3}\n",
            file: "s.yaml")
        let scenario = loaded.scenario
        #expect(scenario.publishers == PublisherPlan())
        #expect(scenario.publishers.count == 1 && scenario.publishers.enter == .placement)
        #expect(scenario.publishers.streamName(7) == "bench-7")
        #expect(scenario.viewers.count == 3 && scenario.viewers.rampPerSecond == 50)
        #expect(scenario.viewers.streams == .roundRobin)
        #expect(scenario.limits == PassCriteria(lossAfterRetransmissionPercent: 1.0, latencyP99Ms: 400))
        #expect(scenario.capacity == CapacityPlan(start: 50, step: 50, max: 5000, trialSeconds: 20))
        #expect(scenario.target.source == .url("http://127.0.0.1:8080"))
        #expect(loaded.topology == nil)
    }

    @Test("unknown keys get 'did you mean'; a misspelt required key is named in the missing-key error")
    func unknownKeys() {
        let errors = scenarioErrors(
            """
            name: n
            target: {url: http://127.0.0.1:8080}
            duraton_seconds: 5
            viewers: {count: 3, rampe_per_second: 4}
            """)
        #expect(
            errors == [
                "1:1: the scenario is missing required key 'duration_seconds' ('duraton_seconds' at line 3 looks like a misspelling of it)",
                "3:1: unknown key 'duraton_seconds' in the scenario; did you mean 'duration_seconds'?",
                "4:21: unknown key 'rampe_per_second' in viewers; did you mean 'ramp_per_second'?",
            ])
    }

    @Test("wrong types, out-of-range numbers and unknown words, all reported in one pass")
    func typesAndRanges() {
        let errors = scenarioErrors(
            """
            name: n
            target: {url: http://127.0.0.1:8080}
            duration_seconds: 3601
            publishers:
              count: many
              video: {codec: h264, bitrate_kbps: 1500, simulcast: maybe}
            viewers: {count: -1, streams: round_robn}
            limits: {latency_p99_ms: 0}
            """)
        #expect(
            errors == [
                "3:19: duration_seconds must be between 1 and 3600, found 3601",
                "5:10: expected an integer for publishers.count, found 'many'",
                "6:18: unknown video codec 'h264' (one of: vp8)",
                "6:55: expected true or false for publishers.video.simulcast, found 'maybe'",
                "7:18: viewers.count must be between 0 and 100000, found -1",
                "7:31: unknown viewers.streams 'round_robn'; did you mean 'round_robin'?",
                "8:26: limits.latency_p99_ms must be between 1 and 60000, found 0",
            ])
    }

    @Test("missing required keys: name, target, viewers.count; target needs exactly one of topology/url")
    func missingKeys() {
        #expect(
            scenarioErrors("duration_seconds: 5\nviewers: {}\ntarget: {}\n") == [
                "1:1: the scenario is missing required key 'name'",
                "2:10: viewers is missing required key 'count'",
                "3:9: target needs exactly one of 'topology' or 'url'",
            ])
        #expect(
            scenarioErrors(
                "name: n\ntarget: {topology: topology/local.yaml, url: http://127.0.0.1:1}\nduration_seconds: 5\nviewers: {count: 1}\n"
            ) == ["2:9: target has both 'topology' and 'url'; give exactly one"])
    }

    @Test("node ids and regions are checked against the named topology, with suggestions")
    func unknownNodesAndRegions() {
        let errors = scenarioErrors(
            """
            name: n
            target: {topology: topology/local.yaml, under_test: [origin-1, edge-z]}
            duration_seconds: 30
            publishers: {enter: orgin-1}
            viewers: {count: 10, regions: [local-a, local-c], enter: placement}
            faults:
              - {at_seconds: 10, kill: relay-2}
              - {at_seconds: 12, drop_link: {from: origin-1, to: nowhere-at-all, rate: 0.1}}
            """)
        #expect(
            errors == [
                "2:64: unknown node 'edge-z' in target.under_test; did you mean 'edge-a'?",
                "4:21: unknown node 'orgin-1' in publishers.enter; did you mean 'origin-1'?",
                "5:41: unknown region 'local-c' in viewers.regions; did you mean 'local-a'?",
                "7:28: unknown node 'relay-2' in faults[0].kill; did you mean 'relay-1'?",
                "8:54: unknown node 'nowhere-at-all' in faults[1].drop_link.to (nodes: origin-1, relay-1, edge-a, edge-b, recorder-1)",
            ])
    }

    @Test("faults: one action each, stop needs for_seconds, at_seconds within the run, node faults need a topology")
    func faults() {
        let errors = scenarioErrors(
            """
            name: n
            target: {url: http://127.0.0.1:8080}
            duration_seconds: 20
            viewers: {count: 1, turn: {transport: quic}}
            faults:
              - {at_seconds: 25, delay_publishers: {ms: 50}}
              - {at_seconds: 5}
              - {at_seconds: 5, kill: edge-a, stop: edge-b, for_seconds: 2}
              - {at_seconds: 5, stop: edge-a}
              - {at_seconds: 5, kill: edge-a}
            """)
        #expect(
            errors == [
                "4:39: unknown viewers.turn.transport 'quic' (one of: udp, tcp)",
                "6:18: faults[0].at_seconds 25 is not within the run (duration_seconds 20)",
                "7:5: faults[1] needs one action: kill, stop, drop_link, delay_publishers, stop_redis",
                "8:5: faults[2] has 2 actions (kill, stop); give each its own entry",
                "9:27: faults[3].stop needs 'for_seconds' beside it (how long the node stays stopped)",
                "9:27: faults[3].stop needs target.topology: with target.url meshbench starts no nodes and knows no node ids",
                "10:27: faults[4].kill needs target.topology: with target.url meshbench starts no nodes and knows no node ids",
            ])
    }

    @Test("a YAML syntax error is reported at its position; a broken topology's own errors follow")
    func syntaxAndTopologyErrors() {
        #expect(
            scenarioErrors("name: x\n  bad: [\n") == [
                "2:6: YAML syntax error: mapping values are not allowed in this context"
            ])
        let errors = scenarioErrors(
            "name: n\ntarget: {topology: topology/missing.yaml}\nduration_seconds: 5\nviewers: {count: 1}\n")
        #expect(
            errors.first == "2:20: target.topology 'topology/missing.yaml' cannot be used (1 problem(s), listed below)")
        #expect(errors.count == 2)
    }

    @Test("the stop fault and the rest of the schema decode into the model")
    func decodesFaults() throws {
        let loaded = try ScenarioLoader.load(
            yaml: """
                name: n
                target: {topology: topology/local.yaml}
                duration_seconds: 30
                publishers: {count: 2, stream: "s-{n}", audio: none}
                viewers: {count: 10, enter: edge-b, streams: first}
                churn: {joins_per_second: 2.5}
                faults:
                  - {at_seconds: 10, stop: edge-a, for_seconds: 3}
                  - {at_seconds: 5, drop_link: {from: origin-1, to: relay-1, rate: 0.05}}
                  - {at_seconds: 6, stop_redis: {for_seconds: 10}}
                """, file: "s.yaml", baseDirectory: repositoryRoot)
        let scenario = loaded.scenario
        #expect(scenario.publishers.audio == nil && scenario.publishers.streamName(1) == "s-1")
        #expect(scenario.viewers.enter == .node("edge-b") && scenario.viewers.streams == .first)
        #expect(scenario.churn == ChurnPlan(joinsPerSecond: 2.5, leavesPerSecond: 0))
        #expect(
            scenario.faults == [
                ScheduledFault(atSeconds: 10, action: .stop(node: "edge-a", forSeconds: 3)),
                ScheduledFault(atSeconds: 5, action: .dropLink(from: "origin-1", to: "relay-1", rate: 0.05)),
                ScheduledFault(atSeconds: 6, action: .stopRedis(forSeconds: 10)),
            ])
        #expect(loaded.topology?.nodes.count == 5)
    }
}
