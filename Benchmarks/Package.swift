// swift-tools-version: 6.2
//
// Meshcast's benchmarks, kept out of the product's package so that package-benchmark and its
// malloc interposer never enter the product's dependency graph. Run with `scripts/bench`.

import PackageDescription

let package = Package(
    name: "MeshcastBenchmarks",
    dependencies: [
        .package(name: "Meshcast", path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "WireBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "MeshWire", package: "Meshcast"),
            ],
            path: "Benchmarks/WireBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ]
)
