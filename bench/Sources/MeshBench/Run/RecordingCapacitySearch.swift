import Foundation
import MeshCluster

/// `meshbench capacity` on a scenario whose node under test is a recorder (`record.yaml`):
/// climbs the publisher count on ``CapacityLadder`` (each publisher's stream recorded through
/// the mesh, one trial per rung on the one running mesh) until a trial breaks
/// ``RecordingLimits``, and reports the largest count that passed with its CPU per stream,
/// streams per core and bytes written against received (``RecordingCapacityResult``).
struct RecordingCapacitySearch {
    let scenario: Scenario
    let plan: CapacityPlan
    let limits: RecordingLimits
    /// The recorder under test and its media workers.
    let recorder: (id: String, workers: Int)
    /// Media workers for meshbench's own loops.
    let workers: Int

    /// The first `under_test` node that is a recorder in the scenario's topology, with its
    /// workers; `nil` when there is none (the viewer search applies).
    static func recorder(of scenario: Scenario, topology: Topology?) -> (id: String, workers: Int)? {
        guard let topology else { return nil }
        for id in scenario.target.underTest ?? [] {
            if let node = topology.nodes.first(where: { $0.id == id }), node.role == .recorder {
                return (id, max(1, node.workers.count ?? 1))
            }
        }
        return nil
    }

    /// Runs the trials and returns the report of the largest passing one (else the last) with
    /// the search's result in `recordingCapacity`.
    func run(mesh: MeshUnderTest, clips: MediaClipSet) async throws -> RunReport {
        var trials: [RecordingCapacityTrial] = []
        var published = 0
        let outcome = try await CapacityLadder(plan: plan).climb { streams in
            var trialScenario = scenario
            trialScenario.publishers.count = streams
            let target = try MeshcastTarget(mesh: mesh, scenario: trialScenario, workerIndex: workers)
            var run = ScenarioRun(scenario: trialScenario, target: target, clips: clips, workers: workers)
            run.viewers = 0
            run.durationSeconds = Double(plan.trialSeconds)
            run.firstStreamNumber = published
            published += streams
            FileHandle.standardError.write(
                Data("trial: \(streams) recorded streams for \(plan.trialSeconds) s\n".utf8))
            let report = try await run.execute()
            guard let figures = report.recording, figures.node == recorder.id else {
                throw MeshUnderTestError("the trial measured no recording on \(recorder.id)")
            }
            let failures = limits.failures(of: figures)
            trials.append(
                RecordingCapacityTrial(streams: streams, passed: failures.isEmpty, figures: figures, failures: failures)
            )
            FileHandle.standardError.write(Data(("  " + Self.line(streams, figures, failures) + "\n").utf8))
            return (report, failures.isEmpty)
        }
        guard var report = outcome.best ?? outcome.last else { throw MeshUnderTestError("no trial ran") }
        report.recordingCapacity = RecordingCapacityResult(
            node: recorder.id, workers: recorder.workers, limits: limits, trials: trials)
        return report
    }

    /// A trial's progress line.
    private static func line(_ streams: Int, _ figures: RecordingFigures, _ failures: [String]) -> String {
        let perStream = figures.cpuPercentPerStream.map { FigureFormat.number($0, digits: 3) } ?? "-"
        return (failures.isEmpty ? "pass" : "FAIL: " + failures.joined(separator: "; "))
            + " (\(figures.recordingsWritten ?? 0)/\(streams) wrote, CPU \(FigureFormat.number(figures.cpuPercent)) %, "
            + "\(perStream) % per stream, write p99 \(FigureFormat.number(figures.writeMsPerSecondMax.p99)) ms)"
    }
}
