import Testing

@testable import MeshBench

/// `viewers.turn` in a scenario: `true`, `false`, or `{transport, direct_baseline}`, with the
/// usual line:column errors for what is wrong.
@Suite struct ScenarioTURNTests {
    static func viewers(_ turn: String) throws -> ViewerPlan {
        try ScenarioLoader.load(
            yaml:
                "name: n\ntarget: {url: http://127.0.0.1:8080}\nduration_seconds: 5\nviewers: {count: 3, turn: \(turn)}\n",
            file: "s.yaml"
        ).scenario.viewers
    }

    @Test func decodesEachForm() throws {
        #expect(try Self.viewers("false").turn == nil)
        #expect(try Self.viewers("true").turn == TURNPlan(transport: .udp, directBaseline: true))
        #expect(
            try Self.viewers("{transport: tcp, direct_baseline: false}").turn
                == TURNPlan(transport: .tcp, directBaseline: false))
        #expect(try Self.viewers("{}").turn == TURNPlan())
    }

    @Test func reportsWhatIsWrong() {
        let yaml = { (turn: String) in
            "name: n\ntarget: {url: http://127.0.0.1:8080}\nduration_seconds: 5\nviewers: {count: 3, turn: \(turn)}\n"
        }
        #expect(scenarioErrors(yaml("{transprt: udp}")).first?.contains("did you mean 'transport'") == true)
        #expect(scenarioErrors(yaml("{direct_baseline: maybe}")).count == 1)
        #expect(scenarioErrors(yaml("often")).count == 1)
    }

    @Test func needsATURNListenerWhereViewersEnter() {
        let yaml = { (topology: String) in
            "name: n\ntarget: {topology: topology/\(topology).yaml}\nduration_seconds: 5\n"
                + "viewers: {count: 3, enter: origin-1, turn: {transport: tcp}}\n"
        }
        let errors = scenarioErrors(yaml("bench-single"))
        #expect(errors.count == 1)
        #expect(errors.first?.contains("viewers.turn over tcp needs a TURN listener on node 'origin-1'") == true)
        #expect(scenarioErrors(yaml("bench-turn")).isEmpty)
    }
}
