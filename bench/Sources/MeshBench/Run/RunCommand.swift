import ArgumentParser
import Foundation

/// `meshbench run SCENARIO`: runs a scenario against a Meshcast mesh (started from the
/// scenario's topology, or reached by URL) and writes the report as JSON and HTML.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario against the mesh and report what viewers and nodes measured.")

    @OptionGroup var options: RunOptions

    func run() async throws {
        let loaded = try options.loadScenario()
        let clips = try options.loadClips(for: loaded)
        let report: RunReport
        switch options.target {
        case .meshcast:
            let mesh = try options.startMesh(for: loaded.scenario)
            defer { mesh.stop() }
            report = try await options.runMeshcast(loaded.scenario, mesh: mesh, clips: clips)
        case .janus:
            guard loaded.scenario.viewers.turn == nil else {
                throw ValidationError(
                    "viewers.turn runs against meshcast only: Janus's viewers here have no TURN server")
            }
            report = try await options.run(
                loaded.scenario, on: try JanusTarget(workerIndex: options.workers), clips: clips)
        case .coturn:
            throw ValidationError("coturn is not a media server: compare it with `meshbench versus coturn`")
        }
        try options.write(report, name: loaded.scenario.name)
        if report.burst?.passed == false || (loaded.scenario.burst != nil && report.burst == nil) {
            FileHandle.standardError.write(
                Data("meshbench: the join burst \(report.burst == nil ? "did not run" : "failed its limits")\n".utf8))
            throw ExitCode.failure
        }
        if let recording = report.recording, !recording.withinLimits {
            let broken = recording.limitFailures.joined(separator: "; ")
            FileHandle.standardError.write(Data("meshbench: the recorder broke its limits: \(broken)\n".utf8))
            throw ExitCode.failure
        }
    }
}

/// The server a run loads; `coturn` only for `versus` (a TURN server in front of the node).
enum TargetServer: String, ExpressibleByArgument, CaseIterable {
    case meshcast, janus, coturn
}

/// What `run`, `capacity` and `versus` share.
struct RunOptions: ParsableArguments {
    @Argument(help: "The scenario file (bench/scenarios/*.yaml).")
    var scenario: String
    @Option(help: "The server to load: meshcast (the scenario's target) or janus (its streaming plugin).")
    var target: TargetServer = .meshcast
    @Option(help: "Directory for the JSON and HTML reports.")
    var out = "bench/out"
    @Option(help: "Media workers for the viewers (event loops; one per core is plenty).")
    var workers = 2
    @Option(help: "Override the scenario's viewer count.")
    var viewers: Int?
    @Option(help: "Override the scenario's duration (seconds).")
    var duration: Double?
    @Option(help: "Override the scenario's publisher count (each publishes its own stream).")
    var publishers: Int?
    @Option(
        help: "Directory with the clips from scripts/make-clips (default: bench/clips in the scenario's repository).")
    var clips: String?
    @Option(help: "The meshcast binary (default: next to meshbench, else MESHCAST_BIN).")
    var meshcast: String?

    func loadScenario() throws -> LoadedScenario {
        do {
            return try ScenarioLoader.load(path: scenario)
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode.failure
        }
    }

    /// Runs `scenario` against `target`, with the command line's overrides.
    func run(_ scenario: Scenario, on target: any LoadTarget, clips: MediaClipSet) async throws -> RunReport {
        var scenario = scenario
        if let publishers { scenario.publishers.count = max(1, publishers) }
        var run = ScenarioRun(scenario: scenario, target: target, clips: clips, workers: workers)
        if let viewers { run.viewers = viewers }
        if let duration { run.durationSeconds = duration }
        return try await run.execute()
    }

    /// The clips from `--clips`, or from `bench/clips` in the repository `loaded` came from.
    func loadClips(for loaded: LoadedScenario) throws -> MediaClipSet {
        let directory = clips ?? ScenarioRoot.resolve("bench/clips", from: loaded.baseDirectory)
        do {
            return try MediaClipSet.load(directory: directory)
        } catch {
            throw ValidationError("cannot read the clips in \(directory) (\(error)); make them with scripts/make-clips")
        }
    }

    /// The mesh the scenario names, started (topology) or reached (url, tokens from MESHCAST_SECRET).
    func startMesh(for scenario: Scenario) throws -> MeshUnderTest {
        let binary = meshcastBinary
        switch scenario.target.source {
        case .topology(let path):
            FileHandle.standardError.write(Data("starting the mesh of \(path)…\n".utf8))
            return try MeshUnderTest(topology: path, meshcast: binary)
        case .url(let url):
            guard let secret = ProcessInfo.processInfo.environment["MESHCAST_SECRET"] else {
                throw ValidationError("a target url needs MESHCAST_SECRET (the nodes' token secret) to mint tokens")
            }
            return MeshUnderTest(url: url, secret: secret, meshcast: binary)
        }
    }

    var meshcastBinary: String {
        if let meshcast { return meshcast }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("meshcast").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return ProcessInfo.processInfo.environment["MESHCAST_BIN"] ?? "meshcast"
    }

    /// Writes `report` as JSON and HTML under `out` and prints the summary (unless `summary` is
    /// false) and where the files went.
    func write(_ report: RunReport, name: String, summary: Bool = true) throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let stamp = ISO8601DateFormatter().string(from: report.startedAt).replacingOccurrences(of: ":", with: "")
        let base = "\(out)/\(name)-\(report.target)-\(stamp)"
        try ReportJSON.encode(report).write(to: URL(fileURLWithPath: base + ".json"))
        try Data(HTMLReport.render(report).utf8).write(to: URL(fileURLWithPath: base + ".html"))
        if summary { print(TextSummary.render(report)) }
        print("report: \(base).json, \(base).html")
    }
}
