import Foundation
import MeshCluster
import MeshTestSupport
import Testing

/// Paths of the repository's topology files, found from this source file so tests run from
/// any working directory.
enum FixtureFiles {
    static let packageRoot = RepositoryFiles.root

    static func path(_ relative: String) -> String {
        packageRoot.appendingPathComponent(relative).path
    }

    /// The diagnostics loading a bad fixture produces; records a test failure if it loads.
    static func diagnostics(forBadFixture name: String) -> [TopologyDiagnostic] {
        do {
            let topology = try TopologyLoader.load(path: path("Tests/Fixtures/topology/\(name)"))
            Issue.record("\(name) loaded without errors as mesh '\(topology.mesh)'")
            return []
        } catch {
            return error.diagnostics
        }
    }
}

/// A diagnostic reduced to what tests compare: line, column and message.
struct Reported: Equatable, CustomStringConvertible {
    let line: Int
    let column: Int
    let message: String

    init(_ line: Int, _ column: Int, _ message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    init(_ diagnostic: TopologyDiagnostic) {
        self.init(diagnostic.location.line, diagnostic.location.column, diagnostic.message)
    }

    var description: String { "\(line):\(column): \(message)" }
}
