import MeshTestSupport
import Testing

/// README.md's layout table names every target of Package.swift, so that no module goes
/// undocumented. Both files are read at test time: a target added later fails here, by name,
/// until its row is written. A row covers the targets in its folder and below it (`Tests/`
/// covers the test targets, `Sources/System` the C bridges).
@Suite struct ReadmeLayoutTests {
    @Test func layoutTableListsEveryTargetOfThePackage() throws {
        let targets = PackageTargetList(manifest: try RepositoryFiles.text("Package.swift")).targets
        let folders = ReadmeLayoutTable(readme: try RepositoryFiles.text("README.md")).folders
        // The readers found something: an empty list would pass vacuously.
        #expect(targets.contains { $0.name == "MeshWire" && $0.path == "Sources/Common/Wire" })
        #expect(folders.contains("Sources/Common/Wire"))

        let missing = targets.filter { target in !folders.contains { target.isInside($0) } }
        #expect(
            missing.isEmpty,
            "README.md's layout table (## Layout) lacks a row for: \(missing.map(\.description).joined(separator: ", "))"
        )
    }

    /// The manifest reader on the shapes Package.swift uses: literal names and paths, a path
    /// made in a helper, a product dependency's `name:` before the path, no path at all.
    @Test func manifestReaderFindsEachTargetsFolder() {
        let manifest = #"""
            func bridge(_ name: String) -> Target {
                .systemLibrary(name: name, path: "Sources/System/\(name)")
            }
            let package = Package(
                targets: [
                    .target(
                        name: "MeshCluster",
                        dependencies: ["CHiredis", .product(name: "Yams", package: "Yams")],
                        path: "Sources/Common/Cluster"
                    ),
                    .executableTarget(name: "Tool"),
                    .testTarget(name: "ToolTests", dependencies: ["Tool"]),
                ]
            )
            """#
        #expect(
            PackageTargetList(manifest: manifest).targets == [
                .init(name: nil, path: "Sources/System"),
                .init(name: "MeshCluster", path: "Sources/Common/Cluster"),
                .init(name: "Tool", path: "Sources/Tool"),
                .init(name: "ToolTests", path: "Tests/ToolTests"),
            ])
    }

    @Test func aRowCoversItsFolderAndBelowOnly() {
        let target = PackageTargetList.Target(name: "MeshEdge", path: "Sources/Edge")
        #expect(target.isInside("Sources/Edge") && target.isInside("Sources"))
        #expect(!target.isInside("Sources/Ed") && !target.isInside("Sources/Edge/Sub"))
    }
}
