import Foundation
import Testing

@testable import MeshBench

/// Issue 12, item 8: a scenario's relative paths resolve against the repository the scenario
/// file is in (the nearest folder above it with `Package.swift` or `.git`), not the folder
/// meshbench was started from.
@Suite("scenario paths resolve from the scenario's repository")
struct ScenarioRootTests {
    /// A throwaway repository: `Package.swift`, `topology/solo.yaml` (a copy of the shipped
    /// single-node topology) and `bench/scenarios/solo.yaml` naming it by a relative path.
    static func makeRepository() throws -> String {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("meshbench-root-\(UUID().uuidString)").path
        for folder in ["topology", "bench/scenarios/nested"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        try Data("// swift-tools-version: 6.2\n".utf8).write(to: URL(fileURLWithPath: root + "/Package.swift"))
        try FileManager.default.copyItem(
            atPath: repositoryRoot + "/topology/bench-single.yaml", toPath: root + "/topology/solo.yaml")
        let scenario = """
            name: solo
            target: {topology: topology/solo.yaml, under_test: [origin-1]}
            duration_seconds: 5
            publishers: {count: 1, enter: origin-1, video: {codec: vp8, bitrate_kbps: 500}}
            viewers: {count: 2, enter: origin-1}
            """
        try Data(scenario.utf8).write(to: URL(fileURLWithPath: root + "/bench/scenarios/nested/solo.yaml"))
        return root
    }

    @Test("a scenario outside the current folder finds its topology in its own repository")
    func loadsFromAnotherRepository() throws {
        // The test runs with the Meshcast checkout as its current folder, which has no
        // topology/solo.yaml: only the scenario's repository does.
        let root = try Self.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(!FileManager.default.fileExists(atPath: "topology/solo.yaml"))
        let loaded = try ScenarioLoader.load(path: root + "/bench/scenarios/nested/solo.yaml")
        #expect(loaded.topology?.nodes.map(\.id) == ["origin-1"])
        #expect(loaded.baseDirectory == URL(fileURLWithPath: root).standardizedFileURL.path)
        // The path handed to `meshcast up` is absolute, so it works from any folder too.
        #expect(loaded.scenario.target.source == .topology(path: loaded.baseDirectory + "/topology/solo.yaml"))
    }

    @Test("a relative scenario path is taken from the current folder, then walked up")
    func relativeScenarioPath() throws {
        let root = try Self.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let found = ScenarioRoot.directory(
            forScenarioAt: "scenarios/nested/solo.yaml", currentDirectory: root + "/bench")
        #expect(found == URL(fileURLWithPath: root).standardizedFileURL.path)
    }

    @Test("the shipped fanout scenario resolves to this checkout wherever meshbench starts")
    func shippedScenario() throws {
        let loaded = try ScenarioLoader.load(path: repositoryRoot + "/bench/scenarios/fanout.yaml")
        #expect(loaded.scenario.target.source == .topology(path: repositoryRoot + "/topology/bench-single.yaml"))
    }

    @Test("without Package.swift or .git above it, the current folder is the base, as before")
    func noRepositoryFallsBackToCurrentFolder() throws {
        let folder = "/proc/self"  // exists, and no folder above it holds either marker
        #expect(
            ScenarioRoot.directory(forScenarioAt: folder + "/x.yaml", currentDirectory: "/somewhere") == "/somewhere")
    }

    @Test("a missing topology is still reported at the scenario's line")
    func missingTopologyIsReported() throws {
        let root = try Self.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.removeItem(atPath: root + "/topology/solo.yaml")
        #expect(throws: ScenarioLoadFailure.self) {
            _ = try ScenarioLoader.load(path: root + "/bench/scenarios/nested/solo.yaml")
        }
    }
}
