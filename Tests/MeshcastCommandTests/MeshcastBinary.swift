import Foundation
import MeshTestSupport

/// Runs the built `meshcast` executable the way a user would, from the package root.
enum MeshcastBinary {
    static let packageRoot = RepositoryFiles.root

    /// What one run printed and how it ended.
    struct Outcome {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    /// The executable SwiftPM linked beside the test bundle: the bundle (or the test
    /// executable on Linux) lives in the products directory, `.build/<triple>/debug`.
    static func location() throws -> URL {
        let bundle = Bundle.main.bundleURL
        let candidates = [
            bundle.appendingPathComponent("meshcast"),
            bundle.deletingLastPathComponent().appendingPathComponent("meshcast"),
            Bundle.main.executableURL?.deletingLastPathComponent().appendingPathComponent("meshcast"),
            packageRoot.appendingPathComponent(".build/debug/meshcast"),
        ]
        for case let candidate? in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        throw MissingBinary(searched: candidates.compactMap { $0?.path })
    }

    /// Runs `meshcast` with these arguments and waits for it to exit. `environment` overrides
    /// the test's own variables; a `nil` value removes one.
    static func run(_ arguments: [String], environment: [String: String?] = [:]) throws -> Outcome {
        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment { variables[name] = value }
        let output = try ChildProcess.run(try location(), arguments, environment: variables, directory: packageRoot)
        return Outcome(status: output.status, standardOutput: output.stdout, standardError: output.stderr)
    }

    struct MissingBinary: Error, CustomStringConvertible {
        let searched: [String]
        var description: String { "meshcast executable not found; looked at \(searched.joined(separator: ", "))" }
    }
}
