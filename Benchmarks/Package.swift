// swift-tools-version: 6.2
//
// Meshcast's benchmarks, kept out of the product's package so that package-benchmark and its
// malloc interposer never enter the product's dependency graph. Run with `scripts/bench`.

import PackageDescription

let package = Package(
    name: "MeshcastBenchmarks",
    dependencies: [
        .package(name: "Meshcast", path: ".."),
        .package(
            url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        suite("WireBenchmarks", uses: "MeshWire"),
        suite("CryptoBenchmarks", uses: "MeshCrypto"),
        suite("RuntimeBenchmarks", uses: "MeshRuntime"),
    ]
)

/// One package-benchmark suite: an executable under Benchmarks/NAME that measures one module.
func suite(_ name: String, uses module: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: [
            .product(name: "Benchmark", package: "benchmark"),
            .product(name: module, package: "Meshcast"),
        ],
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}
