import ArgumentParser
import Foundation

/// `meshbench versus janus SCENARIO`: the same scenario against the Meshcast mesh and against
/// Janus's streaming plugin on this machine, compared at a load both carry.
///
/// First a load search (``LoadSearch``: trials of `capacity.trial_seconds` up the
/// `capacity` ladder, the other server first) finds the largest viewer count both keep within
/// the scenario's `limits`, unless `--viewers` names it. Then a full-length run of each at that
/// count, both reports written, and the figures side by side, with how each side was fed and
/// the total CPU (server and feeder) per delivered packet. The trials where a side broke the
/// limits are printed apart as saturated figures, and their reports written with `-saturated`.
struct VersusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "versus",
        abstract: "Compare Meshcast with another server at the largest load both carry within the scenario's limits.")

    @Argument(help: "The other server: janus, or coturn (a TURN server in front of the node, for viewers.turn).")
    var server: TargetServer
    @OptionGroup var options: RunOptions
    @Option(help: "Override the scenario's capacity.start for the load search.")
    var start: Int?
    @Option(help: "Override the scenario's capacity.step for the load search.")
    var step: Int?
    @Option(name: .customLong("trial-seconds"), help: "Override the scenario's capacity.trial_seconds.")
    var trialSeconds: Int?

    func validate() throws {
        guard server != .meshcast else {
            throw ValidationError("versus compares Meshcast with another server: janus or coturn")
        }
    }

    func run() async throws {
        if server == .coturn {
            try await CoturnVersus(options: options).run()
            return
        }
        let loaded = try options.loadScenario()
        let scenario = loaded.scenario
        guard scenario.viewers.turn == nil else {
            throw ValidationError("versus janus with viewers.turn would compare TURN viewers with direct ones")
        }
        let clips = try options.loadClips(for: loaded)
        let plan = scenario.capacity
        var search = LoadSearch(start: start ?? plan.start, step: step ?? plan.step, max: plan.max)
        let trial = Double(trialSeconds ?? plan.trialSeconds)
        if options.viewers == nil {
            // The other server first: it is the one expected to break, which caps Meshcast's climb.
            try await search.climb(server.rawValue) { viewers in
                Self.judged(
                    try await measure(.janus, scenario, clips, viewers: viewers, seconds: trial), viewers, scenario)
            }
        }
        let meshcast: RunReport
        let load: Int
        do {
            let mesh = try options.startMesh(for: scenario)
            defer { mesh.stop() }
            if options.viewers == nil {
                try await search.climb(TargetServer.meshcast.rawValue) { viewers in
                    Self.judged(
                        try await measure(.meshcast, scenario, clips, viewers: viewers, seconds: trial, mesh: mesh),
                        viewers, scenario)
                }
                print(VersusTable.search(search.trials, limits: scenario.limits))
            }
            load = options.viewers ?? search.common ?? search.start
            if options.viewers == nil, search.common == nil {
                print("no load both carry within the limits: comparing at \(load) viewers, saturated")
            }
            meshcast = try await measure(
                .meshcast, scenario, clips, viewers: load,
                seconds: options.duration ?? Double(scenario.durationSeconds),
                mesh: mesh)
        }
        try options.write(meshcast, name: scenario.name)
        let other = try await measure(
            server, scenario, clips, viewers: load, seconds: options.duration ?? Double(scenario.durationSeconds))
        try options.write(other, name: scenario.name)
        print(
            VersusTable.comparison(
                meshcast: meshcast, other: other, viewers: load, scenario: scenario, heading: "compared"))
        let saturated = search.saturated
        if let first = saturated.first,
            let a = saturated.first(where: { $0.side == TargetServer.meshcast.rawValue })?.report,
            let b = saturated.first(where: { $0.side == server.rawValue })?.report
        {
            print(
                "\n"
                    + VersusTable.comparison(
                        meshcast: a, other: b, viewers: first.viewers, scenario: scenario,
                        heading: "SATURATED: a side broke the limits here; not a fair comparison"))
            try options.write(a, name: scenario.name + "-saturated", summary: false)
            try options.write(b, name: scenario.name + "-saturated", summary: false)
        }
    }

    /// A trial, judged by the scenario's limits.
    private static func judged(_ report: RunReport, _ viewers: Int, _ scenario: Scenario) -> LoadSearch.Trial {
        LoadSearch.Trial(
            side: report.target, viewers: viewers, passed: scenario.limits.admits(report, viewers: viewers),
            report: report)
    }

    /// One run of `viewers` viewers for `seconds` against `side` (Meshcast on `mesh`).
    private func measure(
        _ side: TargetServer, _ scenario: Scenario, _ clips: MediaClipSet, viewers: Int, seconds: Double,
        mesh: MeshUnderTest? = nil
    ) async throws -> RunReport {
        FileHandle.standardError.write(Data("\(side.rawValue): \(viewers) viewers for \(Int(seconds)) s\n".utf8))
        let target: any LoadTarget
        switch side {
        case .meshcast:
            guard let mesh else { throw ValidationError("no mesh to run meshcast on") }
            target = try MeshcastTarget(mesh: mesh, scenario: scenario, workerIndex: options.workers)
        case .janus, .coturn:
            target = try JanusTarget(workerIndex: options.workers)
        }
        var run = ScenarioRun(scenario: scenario, target: target, clips: clips, workers: options.workers)
        run.viewers = viewers
        run.durationSeconds = seconds
        return try await run.execute()
    }
}
