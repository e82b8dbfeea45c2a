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
        suite("ForwardingBenchmarks", uses: "MeshRTC", "MeshCrypto", "MeshWire", "MeshRuntime"),
        suite("RecordingBenchmarks", uses: "MeshRecording"),
        suite("TURNBenchmarks", uses: "MeshTURN", "MeshCrypto", "MeshWire"),
    ]
)

/// One package-benchmark suite: an executable under Benchmarks/NAME that measures a module
/// (and the modules it drives).
func suite(_ name: String, uses modules: String...) -> Target {
    .executableTarget(
        name: name,
        dependencies: [.product(name: "Benchmark", package: "benchmark")]
            + modules.map { .product(name: $0, package: "Meshcast") },
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}
