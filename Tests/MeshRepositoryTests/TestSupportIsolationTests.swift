import Foundation
import MeshTestSupport
import Testing

/// MeshTestSupport is a regular target only because SwiftPM lets nothing depend on a test
/// target; this keeps it test-only: no product source imports it.
@Suite struct TestSupportIsolationTests {
    @Test func noProductSourceImportsTheTestSupportModule() throws {
        var importers: [String] = []
        for folder in ["Sources", "bench/Sources", "Fuzz"] {
            let root = RepositoryFiles.root.appendingPathComponent(folder)
            let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
            while let file = files?.nextObject() as? URL {
                guard file.pathExtension == "swift" else { continue }
                let text = try String(contentsOf: file, encoding: .utf8)
                if text.contains("import MeshTestSupport") { importers.append("\(folder)/…/\(file.lastPathComponent)") }
            }
        }
        #expect(importers.isEmpty, "product code imports the test-only MeshTestSupport: \(importers)")
    }
}
