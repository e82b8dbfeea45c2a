import Foundation
import MeshCluster

/// A scenario ready to run, with the topology it names (when it names one).
struct LoadedScenario: Sendable {
    /// The decoded, validated scenario.
    var scenario: Scenario
    /// The topology of `target.topology`, already validated; `nil` for a `target.url` run.
    var topology: Topology?
    /// The folder relative paths were resolved from (see ``ScenarioRoot``); `scenario`'s
    /// topology path is already absolute.
    var baseDirectory: String
}

/// Thrown when a scenario file cannot be used; holds every problem, scenario file first.
struct ScenarioLoadFailure: Error, CustomStringConvertible {
    /// Every problem found; never empty.
    var diagnostics: [TopologyDiagnostic]

    /// One `file:line:column: error: message` per line.
    var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// Reads scenario files the way `TopologyLoader` reads topology files: parse, decode,
/// validate, and either a scenario or every problem with its line and column.
enum ScenarioLoader {
    /// Loads the file at `path`; a relative `target.topology` is resolved from `baseDirectory`
    /// (by default the repository the scenario file is in, whatever the current folder).
    static func load(path: String, baseDirectory: String? = nil) throws(ScenarioLoadFailure) -> LoadedScenario {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            let location = SourceLocation(file: path, line: 1, column: 1)
            throw ScenarioLoadFailure(diagnostics: [TopologyDiagnostic(location: location, message: "cannot read file")]
            )
        }
        return try load(
            yaml: text, file: path, baseDirectory: baseDirectory ?? ScenarioRoot.directory(forScenarioAt: path))
    }

    /// Loads scenario text; `file` is the name diagnostics report it under.
    static func load(yaml text: String, file: String, baseDirectory: String? = nil) throws(ScenarioLoadFailure)
        -> LoadedScenario
    {
        let log = DiagnosticLog(file: file)
        guard let root = log.parseDocument(text, emptyMessage: "the scenario file is empty") else {
            throw ScenarioLoadFailure(diagnostics: log.sortedDiagnostics)
        }
        let references = ScenarioReferences()
        let scenario = ScenarioDecoder(log: log, references: references).decode(root)
        let base = baseDirectory ?? FileManager.default.currentDirectoryPath
        let validator = ScenarioValidator(log: log, baseDirectory: base)
        let (topology, topologyDiagnostics) = validator.validate(references, source: scenario?.target.source)
        guard log.isClean, topologyDiagnostics.isEmpty, var scenario else {
            var diagnostics = log.sortedDiagnostics + topologyDiagnostics
            if diagnostics.isEmpty {
                // A required value failed without a diagnostic: a loader bug, still not a crash.
                diagnostics = [
                    TopologyDiagnostic(
                        location: SourceLocation(file: file, line: 1, column: 1),
                        message: "internal error: the scenario decoded incompletely")
                ]
            }
            throw ScenarioLoadFailure(diagnostics: diagnostics)
        }
        // `meshcast up` and the node sampler open the topology later, from the current folder.
        if case .topology(let path) = scenario.target.source {
            scenario.target.source = .topology(path: ScenarioRoot.resolve(path, from: base))
        }
        return LoadedScenario(scenario: scenario, topology: topology, baseDirectory: base)
    }
}
