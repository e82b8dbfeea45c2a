// swift-tools-version: 6.2
//
// Meshcast: a distributed edge/origin WebRTC media mesh.
// Module layout follows docs/architecture.md: C bridges at the bottom, then wire formats,
// crypto, the media runtime, the cluster layer, and the `meshcast` entry point on top.
// Dependencies point downward only.

import PackageDescription

import class Foundation.ProcessInfo

/// Every Meshcast target builds in Swift 6 mode with warnings treated as errors.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .treatAllWarnings(as: .error),
]

/// The data plane's modules (wire formats, crypto, loops, the SFU) also drop the runtime's
/// exclusivity checks in release builds: `swift_beginAccess` on every class field a packet
/// touches showed in the fan-out profile (issue 12, item 2); the compiler's static checks stay.
let dataPlane: [SwiftSetting] =
    strict + [
        .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
    ]

/// A `[system]` bridge to one of the Debian `-dev` packages the product links against.
func bridge(_ name: String, pkgConfig: String, apt: String) -> Target {
    .systemLibrary(
        name: name,
        path: "Sources/System/\(name)",
        pkgConfig: pkgConfig,
        providers: [.apt([apt])]
    )
}

let package = Package(
    name: "Meshcast",
    products: [
        .executable(name: "meshcast", targets: ["Meshcast"]),
        .library(name: "MeshWire", targets: ["MeshWire"]),
        .library(name: "MeshCrypto", targets: ["MeshCrypto"]),
        .library(name: "MeshTURN", targets: ["MeshTURN"]),
        .library(name: "MeshRuntime", targets: ["MeshRuntime"]),
        .library(name: "MeshRecording", targets: ["MeshRecording"]),
        .library(name: "MeshCluster", targets: ["MeshCluster"]),
        .library(name: "MeshRTC", targets: ["MeshRTC"]),
        .library(name: "MeshControl", targets: ["MeshControl"]),
        .library(name: "MeshCatalog", targets: ["MeshCatalog"]),
        .executable(name: "meshbench", targets: ["MeshBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // C bridges: one per library, plus one shim for what Swift cannot import.
        bridge("CLibUV", pkgConfig: "libuv", apt: "libuv1-dev"),
        bridge("CLibSRTP", pkgConfig: "libsrtp2", apt: "libsrtp2-dev"),
        bridge("COpenSSL", pkgConfig: "openssl", apt: "libssl-dev"),
        bridge("CHiredis", pkgConfig: "hiredis", apt: "libhiredis-dev"),
        bridge("CLibPQ", pkgConfig: "libpq", apt: "libpq-dev"),
        bridge("CNuma", pkgConfig: "numa", apt: "libnuma-dev"),
        .target(
            name: "CMeshShims",
            dependencies: ["COpenSSL", "CLibUV"],
            path: "Sources/System/CMeshShims"
        ),

        // Wire formats: pure value types over bytes, no I/O.
        .target(
            name: "MeshWire",
            path: "Sources/Common/Wire",
            exclude: ["README.md"],
            swiftSettings: dataPlane
        ),
        // SRTP/SRTCP (libsrtp2) and DTLS-SRTP (OpenSSL).
        .target(
            name: "MeshCrypto",
            dependencies: ["MeshWire", "CLibSRTP", "COpenSSL", "CMeshShims"],
            path: "Sources/Common/Crypto",
            exclude: ["README.md"],
            swiftSettings: dataPlane
        ),
        // The TURN server (RFC 8656) as a pure state machine: credentials, nonces, peer policy.
        .target(
            name: "MeshTURN",
            dependencies: ["MeshWire", "MeshCrypto"],
            path: "Sources/Common/TURN",
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        // Recording files: our own Matroska/WebM writer, crash recovery, RTP depacketizers, A/V clock.
        .target(
            name: "MeshRecording",
            dependencies: ["MeshWire"],
            path: "Sources/Common/Recording",
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        // Media workers: pinned libuv loops, sockets, timers, buffer pools, queues.
        .target(
            name: "MeshRuntime",
            dependencies: ["CLibUV", "CNuma", "CMeshShims"],
            path: "Sources/Common/Runtime",
            exclude: ["README.md"],
            swiftSettings: dataPlane
        ),
        // Topology model and loader (later: Redis, placement, relay links).
        .target(
            name: "MeshCluster",
            dependencies: ["CHiredis", .product(name: "Yams", package: "Yams")],
            path: "Sources/Common/Cluster",
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        // The recordings catalog in PostgreSQL (libpq): client, migrations, outbox, local server.
        .target(
            name: "MeshCatalog",
            dependencies: ["CLibPQ", "MeshCluster", .product(name: "Logging", package: "swift-log")],
            path: "Sources/Common/Catalog",
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        // ICE-lite, peer sessions and the SFU core that origins and edges share.
        .target(
            name: "MeshRTC",
            dependencies: [
                "MeshWire", "MeshCrypto", "MeshRuntime", "MeshCluster",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Common/RTC",
            exclude: ["README.md"],
            swiftSettings: dataPlane
        ),
        // The HTTP side every role shares: WHIP/WHEP, tokens, health, metrics, pages.
        .target(
            name: "MeshControl",
            dependencies: [
                "MeshRTC", "MeshCrypto", "MeshWire", "MeshCluster",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Sources/Common/Control",
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        // The mesh coordinator: Redis registration, placement, upstream paths, failover, drain.
        .target(
            name: "MeshCascade",
            dependencies: [
                "MeshRTC", "MeshCluster", "MeshControl", "MeshCrypto", "MeshRuntime", "MeshTURN", "MeshCatalog",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Common/Cascade",
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        // The relay role: links in, links out, no WebRTC clients.
        .target(
            name: "MeshRelay",
            dependencies: [
                "MeshCascade", "MeshControl", "MeshRTC", "MeshCluster", "MeshRuntime",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Relay",
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        // The edge role: WHEP viewers fed over a relay link.
        .target(
            name: "MeshEdge",
            dependencies: [
                "MeshCascade", "MeshControl", "MeshRTC", "MeshCluster", "MeshRuntime",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Edge",
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        // The origin role: publishers in, viewers out, on one node.
        .target(
            name: "MeshOrigin",
            dependencies: [
                "MeshCascade", "MeshControl", "MeshRTC", "MeshCluster", "MeshRuntime",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Origin",
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        // The recorder role: streams pulled over relay links into Matroska segments, the catalog, the API.
        .target(
            name: "MeshRecorder",
            dependencies: [
                "MeshCascade", "MeshCluster", "MeshControl", "MeshRTC", "MeshRecording", "MeshCatalog", "MeshCrypto",
                "MeshWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Recorder",
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        // The `meshcast` command.
        .executableTarget(
            name: "Meshcast",
            dependencies: [
                "MeshOrigin", "MeshRelay", "MeshEdge", "MeshRecorder", "MeshCascade", "MeshControl", "MeshRTC",
                "MeshCluster", "MeshCatalog", "MeshRuntime", "MeshCrypto", "MeshWire",
                "CLibUV", "CLibSRTP", "COpenSSL", "CHiredis", "CLibPQ", "CNuma",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Meshcast",
            swiftSettings: strict
        ),
        // The `meshbench` load generator (bench/README.md).
        .executableTarget(
            name: "MeshBench",
            dependencies: [
                "MeshRTC", "MeshRuntime", "MeshCrypto", "MeshWire", "MeshCluster", "MeshControl", "MeshTURN",
                "CMeshShims",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "bench/Sources/MeshBench",
            swiftSettings: strict
        ),
        .testTarget(
            name: "MeshBenchTests",
            dependencies: ["MeshBench", "MeshRTC", "MeshWire", "MeshTURN", "MeshCrypto", "MeshTestSupport"],
            path: "bench/Tests/MeshBenchTests",
            swiftSettings: strict
        ),

        // TEST-ONLY: what several test targets share (Redis test servers, free ports, RFC 5769
        // vectors, RTP/RTCP packet builders, the repository's files). Only test targets may
        // depend on it; no product names it (Tests/MeshTestSupport/README.md).
        .target(
            name: "MeshTestSupport",
            dependencies: ["MeshCluster", "MeshWire", "MeshCatalog"],
            path: "Tests/MeshTestSupport",
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MeshWireTests",
            dependencies: ["MeshWire", "MeshCrypto", "MeshTestSupport"],
            path: "Tests/MeshWireTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "MeshCryptoTests",
            dependencies: ["MeshCrypto", "MeshWire", "MeshTestSupport"],
            path: "Tests/MeshCryptoTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "MeshTURNTests",
            dependencies: ["MeshTURN", "MeshWire", "MeshCrypto", "MeshTestSupport"],
            path: "Tests/MeshTURNTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "MeshRecorderTests",
            dependencies: [
                "MeshRecorder", "MeshRecording", "MeshCatalog", "MeshCluster", "MeshControl", "MeshRTC",
                "MeshTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/MeshRecorderTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "MeshRecordingTests",
            dependencies: ["MeshRecording", "MeshWire", "MeshTestSupport"],
            path: "Tests/MeshRecordingTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "MeshRuntimeTests",
            dependencies: ["MeshRuntime", "CLibUV"],
            path: "Tests/MeshRuntimeTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "MeshClusterTests",
            dependencies: ["MeshCluster", "MeshTestSupport"],
            path: "Tests/MeshClusterTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "MeshCatalogTests",
            dependencies: ["MeshCatalog", "MeshTestSupport"],
            path: "Tests/MeshCatalogTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "MeshRTCTests",
            dependencies: [
                "MeshRTC", "MeshWire", "MeshCrypto", "MeshRuntime", "MeshTestSupport", "MeshCascade", "MeshTURN",
            ],
            path: "Tests/MeshRTCTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "MeshControlTests",
            dependencies: [
                "MeshControl", "MeshRTC", "MeshCrypto", "MeshTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/MeshControlTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "MeshCascadeTests",
            dependencies: [
                "MeshCascade", "MeshRTC", "MeshCluster", "MeshControl", "MeshTestSupport", "MeshTURN",
                "MeshOrigin", "MeshRelay", "MeshEdge", "MeshRecorder",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/MeshCascadeTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "MeshcastCommandTests",
            dependencies: ["Meshcast", "MeshCluster", "MeshCatalog", "MeshTestSupport"],
            path: "Tests/MeshcastCommandTests",
            swiftSettings: strict
        ),
        // Checks the repository's documents against Package.swift (README.md's layout table).
        .testTarget(
            name: "MeshRepositoryTests",
            dependencies: ["MeshTestSupport"],
            path: "Tests/MeshRepositoryTests",
            swiftSettings: strict
        ),
    ]
)

// libFuzzer targets for the network parsers (see Fuzz/README.md). They link only with
// `-sanitize=fuzzer`, so they join the package only when MESHCAST_FUZZ=1 (scripts/fuzz sets it).
if ProcessInfo.processInfo.environment["MESHCAST_FUZZ"] == "1" {
    package.targets.append(
        .target(name: "FuzzDriver", path: "Fuzz/FuzzDriver", swiftSettings: strict)
    )
    for (name, dependencies) in [
        ("FuzzRTP", ["MeshWire"]), ("FuzzRTCP", ["MeshWire"]),
        ("FuzzSTUN", ["MeshWire", "MeshCrypto"]), ("FuzzSDP", ["MeshWire"]),
        ("FuzzToken", ["MeshCrypto"]), ("FuzzNegotiation", ["MeshRTC", "MeshWire"]),
        ("FuzzSRTP", ["MeshCrypto", "MeshWire"]), ("FuzzSealedLinkKeys", ["MeshCrypto", "MeshRTC"]),
        ("FuzzTURNServer", ["MeshTURN", "MeshWire", "MeshCrypto"]), ("FuzzVP8KeyFrame", ["MeshWire"]),
        ("FuzzVP9Header", ["MeshWire"]), ("FuzzH264SPS", ["MeshWire"]),
        ("FuzzMatroskaRecovery", ["MeshRecording"]), ("FuzzTURNStream", ["MeshTURN"]),
        ("FuzzByteRange", ["MeshRecording"]), ("FuzzRedisCluster", ["MeshCluster"]),
    ] {
        package.targets.append(
            .executableTarget(
                name: name,
                dependencies: ["FuzzDriver"] + dependencies.map { .target(name: $0) },
                path: "Fuzz/\(name)",
                swiftSettings: strict + [.unsafeFlags(["-parse-as-library"])]
            )
        )
    }
}
