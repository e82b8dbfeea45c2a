import ArgumentParser
import Foundation

/// `meshbench versus coturn SCENARIO` (a scenario with `viewers.turn`): on one mesh, the same
/// TURN viewers through the node's integrated TURN server, then through Debian's coturn in front
/// of the same node (coturn's CPU sampled from `/proc` beside the node's), then, with the
/// scenario's direct baseline, the same viewers direct. The integrated run's report carries
/// `turn` with all three; coturn's and the direct run's reports are written beside it.
struct CoturnVersus {
    let options: RunOptions

    func run() async throws {
        let loaded = try options.loadScenario()
        let scenario = loaded.scenario
        guard let plan = scenario.viewers.turn else {
            throw ValidationError("versus coturn needs a scenario with viewers.turn (bench/scenarios/turn.yaml)")
        }
        let clips = try options.loadClips(for: loaded)
        let mesh = try options.startMesh(for: scenario)
        defer { mesh.stop() }
        FileHandle.standardError.write(Data("integrated TURN (\(plan.transport.rawValue))\n".utf8))
        var integrated = try await options.run(
            scenario, on: try MeshcastTarget(mesh: mesh, scenario: scenario, workerIndex: options.workers),
            clips: clips)

        let coturn = try CoturnServer()
        FileHandle.standardError.write(
            Data("coturn on 127.0.0.1:\(coturn.port) (pid \(coturn.pid), log \(coturn.logPath))\n".utf8))
        let throughCoturn: RunReport
        do {
            defer { coturn.stop() }
            let target = try MeshcastTarget(mesh: mesh, scenario: scenario, workerIndex: options.workers)
            target.externalTURN = {
                try coturn.link(transport: plan.transport, id: "meshbench-\(UInt32.random(in: 0...UInt32.max))")
            }
            target.companions = [
                MeshUnderTest.Node(id: CoturnFigures.coturnID, role: "turn relay", base: "", pid: coturn.pid)
            ]
            throughCoturn = try await options.run(scenario, on: target, clips: clips)
        }
        try options.write(throughCoturn, name: scenario.name + "-coturn", summary: false)

        var direct: RunReport?
        if plan.directBaseline {
            FileHandle.standardError.write(Data("direct\n".utf8))
            let target = try MeshcastTarget(mesh: mesh, scenario: scenario, workerIndex: options.workers)
            target.turnTransport = nil
            let baseline = try await options.run(scenario, on: target, clips: clips)
            try options.write(baseline, name: scenario.name + "-direct", summary: false)
            direct = baseline
        }
        var figures = TURNFigures(transport: plan.transport.rawValue, turn: integrated, direct: direct)
        figures.coturn = CoturnFigures(
            version: CoturnServer.version(), throughCoturn: throughCoturn, integrated: integrated)
        integrated.turn = figures
        try options.write(integrated, name: scenario.name)
    }
}
