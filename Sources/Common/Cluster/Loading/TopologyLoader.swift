import Foundation
import Yams

/// Reads topology files: parses the YAML, decodes it, validates it, and either returns a
/// `Topology` or throws a `TopologyLoadFailure` listing every problem with its location.
public enum TopologyLoader {
    /// Loads the file at `path`; diagnostics name the file exactly as `path` spells it.
    public static func load(path: String) throws(TopologyLoadFailure) -> Topology {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw TopologyLoadFailure(diagnostics: [
                TopologyDiagnostic(
                    location: SourceLocation(file: path, line: 1, column: 1),
                    message: "cannot read file: \(error.localizedDescription)"
                )
            ])
        }
        return try load(yaml: text, file: path)
    }

    /// Loads topology text; `file` is the name diagnostics report it under.
    public static func load(yaml text: String, file: String) throws(TopologyLoadFailure) -> Topology {
        let log = DiagnosticLog(file: file)
        guard let root = log.parseDocument(text, emptyMessage: "the topology file is empty") else {
            throw TopologyLoadFailure(diagnostics: log.sortedDiagnostics)
        }
        let draft = TopologyDecoder(log: log).decode(root)
        TopologyValidator(log: log).validate(draft)
        guard log.isClean, let topology = draft.model() else {
            if log.isClean {
                // A field failed to decode without a diagnostic: a loader bug, still not a crash.
                log.error(
                    "internal error: the topology decoded incompletely",
                    at: SourceLocation(file: file, line: 1, column: 1))
            }
            throw TopologyLoadFailure(diagnostics: log.sortedDiagnostics)
        }
        return topology
    }
}
