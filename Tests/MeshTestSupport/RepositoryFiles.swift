import Foundation

/// The repository's own files, found from this source file's path so that tests run from any
/// working directory: for tests that check documents against the code.
public enum RepositoryFiles {
    /// The repository root (the folder of `Package.swift`).
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // MeshTestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// The text of the file at `relativePath` under the root.
    public static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
    }
}
