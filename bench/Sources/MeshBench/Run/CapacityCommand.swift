import ArgumentParser
import Foundation
import MeshCluster

/// `meshbench capacity SCENARIO`: raises the viewer count trial by trial until loss after
/// retransmission or latency p99 breaks the scenario's limits, and reports the largest
/// passing count, per core of the node under test, with its CPU cost per forwarded packet.
/// With a recorder under test (`record.yaml`) it raises the recorded streams instead
/// (``RecordingCapacitySearch``).
struct CapacityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capacity",
        abstract: "Find the largest viewer count the node under test serves within the scenario's limits.")

    @OptionGroup var options: RunOptions
    @Option(help: "Override the scenario's capacity.start.")
    var start: Int?
    @Option(help: "Override the scenario's capacity.step.")
    var step: Int?
    @Option(name: .customLong("trial-seconds"), help: "Override the scenario's capacity.trial_seconds.")
    var trialSeconds: Int?
    @Option(
        name: .customLong("write-p99-ms"),
        help: "Recording search: the slowest write per second, p99 over a trial, may be at most this (ms).")
    var writeP99Ms = RecordingLimits().writeP99Ms
    @Option(
        name: .customLong("recorder-cpu-percent"),
        help: "Recording search: the recorder's CPU may be at most this share of one core (%).")
    var recorderCPUPercent = RecordingLimits().cpuPercent

    /// The recording search's limits from the options.
    private var recordingLimits: RecordingLimits {
        RecordingLimits(writeP99Ms: writeP99Ms, cpuPercent: recorderCPUPercent)
    }

    func run() async throws {
        let loaded = try options.loadScenario()
        let scenario = loaded.scenario
        let mesh = try options.startMesh(for: scenario)
        defer { mesh.stop() }
        let clips = try options.loadClips(for: loaded)
        var plan = scenario.capacity
        plan.start = start ?? plan.start
        plan.step = step ?? plan.step
        plan.trialSeconds = trialSeconds ?? plan.trialSeconds
        if let recorder = RecordingCapacitySearch.recorder(of: scenario, topology: loaded.topology) {
            let search = RecordingCapacitySearch(
                scenario: scenario, plan: plan, limits: recordingLimits, recorder: recorder, workers: options.workers)
            let report = try await search.run(mesh: mesh, clips: clips)
            try options.write(report, name: scenario.name + "-capacity")
            if report.recordingCapacity?.trials.contains(where: \.passed) != true {
                try Self.noTrialPassed(plan.start, "recorded streams")
            }
            return
        }
        let limits = scenario.limits
        var trials: [CapacityTrial] = []
        let outcome = try await CapacityLadder(plan: plan).climb { viewers in
            let target = try MeshcastTarget(mesh: mesh, scenario: scenario, workerIndex: options.workers)
            var run = ScenarioRun(scenario: scenario, target: target, clips: clips, workers: options.workers)
            run.viewers = viewers
            run.durationSeconds = Double(plan.trialSeconds)
            FileHandle.standardError.write(Data("trial: \(viewers) viewers for \(plan.trialSeconds) s\n".utf8))
            let report = try await run.execute()
            let underTest = Self.nodeUnderTest(report, scenario: scenario)
            let passed = limits.admits(report, viewers: viewers)
            trials.append(
                CapacityTrial(
                    viewers: viewers, passed: passed, lossAfterPercent: report.loss.percentAfter,
                    latencyP99Ms: report.latencyMs.p99, cpuPercent: underTest?.cpuPercent ?? 0,
                    rssMbMax: underTest?.rssMbMax))
            FileHandle.standardError.write(
                Data(
                    ("  \(passed ? "pass" : "FAIL"): connected \(report.viewers.connected), loss after "
                        + "\(FigureFormat.number(report.loss.percentAfter)) %, latency p99 "
                        + "\(FigureFormat.number(report.latencyMs.p99, digits: 1)) ms\n").utf8))
            return (report, passed)
        }
        let (best, last) = (outcome.best, outcome.last)
        guard var report = best ?? last else { throw ExitCode.failure }
        let largest = best.map { $0.viewers.connected } ?? 0
        let cores = Double(Self.cores(of: scenario, topology: loaded.topology))
        report.capacity = CapacityResult(
            criteria: limits, trials: trials, largestPassing: largest, perCore: Double(largest) / cores,
            cpuUsPerForwardedPacket: best.flatMap {
                Self.nodeUnderTest($0, scenario: scenario)?.cpuUsPerForwardedPacket
            },
            rssKbPerViewer: Self.rssKbPerViewer(trials))
        try options.write(report, name: scenario.name + "-capacity")
        if best == nil { try Self.noTrialPassed(plan.start, "viewers") }
    }

    /// A search whose first trial already failed found no capacity: the report is written (it
    /// says why), and the command fails, so a script or CI that runs it sees it.
    private static func noTrialPassed(_ start: Int, _ unit: String) throws -> Never {
        FileHandle.standardError.write(
            Data("meshbench: no trial passed its limits (the first, at \(start) \(unit), failed)\n".utf8))
        throw ExitCode.failure
    }

    /// KB of peak RSS per viewer across `trials` (least squares); `nil` with fewer than two.
    static func rssKbPerViewer(_ trials: [CapacityTrial]) -> Double? {
        LoadGeneratorMemory.slope(
            trials.compactMap { trial in trial.rssMbMax.map { (Double(trial.viewers), $0 * 1024) } })
    }

    /// The node the capacity is about: the first `under_test`, else the busiest node.
    static func nodeUnderTest(_ report: RunReport, scenario: Scenario) -> NodeFigures? {
        if let id = scenario.target.underTest?.first, let node = report.nodes.first(where: { $0.id == id }) {
            return node
        }
        return report.nodes.filter { $0.id != "meshbench" }.max { $0.cpuSeconds < $1.cpuSeconds }
    }

    /// The cores the node under test may use: its media workers in the topology (one each).
    static func cores(of scenario: Scenario, topology: Topology?) -> Int {
        guard let topology else { return 1 }
        let id = scenario.target.underTest?.first ?? topology.nodes.first?.id
        return max(1, topology.nodes.first { $0.id == id }?.workers.count ?? 1)
    }
}
