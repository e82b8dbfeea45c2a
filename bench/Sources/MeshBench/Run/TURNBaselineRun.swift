/// A scenario whose viewers join through TURN (`viewers.turn`), run with its direct baseline:
/// the same viewers through TURN, then direct, on the same mesh one after the other (TURN
/// first, so any warm-up favours the direct run and the ratio errs against TURN). The TURN
/// report carries both in its `turn` figures; the direct one is written beside it.
extension RunOptions {
    func runMeshcast(_ scenario: Scenario, mesh: MeshUnderTest, clips: MediaClipSet) async throws -> RunReport {
        let target = try MeshcastTarget(mesh: mesh, scenario: scenario, workerIndex: workers)
        guard let plan = scenario.viewers.turn else { return try await run(scenario, on: target, clips: clips) }
        var report = try await run(scenario, on: target, clips: clips)
        var direct: RunReport?
        if plan.directBaseline {
            let directTarget = try MeshcastTarget(mesh: mesh, scenario: scenario, workerIndex: workers)
            directTarget.turnTransport = nil
            let baseline = try await run(scenario, on: directTarget, clips: clips)
            try write(baseline, name: scenario.name + "-direct", summary: false)
            direct = baseline
        }
        report.turn = TURNFigures(transport: plan.transport.rawValue, turn: report, direct: direct)
        return report
    }
}
