import MeshRTC
import MeshTestSupport
import Testing

/// The link timer presets the engine runs, pinned twice: by their numbers here, and against the
/// table in Sources/Common/RTC/README.md ("Relay links"), so the code and the README cannot
/// drift apart again.
@Suite("Relay link: timer presets")
struct LinkPresetTests {
    static let ms: UInt64 = 1_000_000

    @Test func presetsHoldTheValuesTheEngineRuns() {
        let upstream = LinkConfiguration.upstreamEnd()
        #expect(upstream.keepaliveInterval == 200 * Self.ms)
        #expect(upstream.reportInterval == 1_000 * Self.ms)
        #expect(upstream.livenessTimeout == 10_000 * Self.ms)
        #expect(upstream.quietTimeout == 1_000 * Self.ms)

        let downstream = LinkConfiguration.downstreamEnd()
        #expect(downstream.reportInterval == 250 * Self.ms)
        #expect(downstream.livenessTimeout == 1_000 * Self.ms)
        #expect(downstream.initialRoundTripTime == 20 * Self.ms)

        #expect(LinkConfiguration.upstreamEnd(quietTimeout: 3 * Self.ms).quietTimeout == 3 * Self.ms)
        #expect(LinkConfiguration.downstreamEnd(livenessTimeout: 3 * Self.ms).livenessTimeout == 3 * Self.ms)
    }

    /// The engine passes its own liveness timeout to both presets; its default is theirs.
    @Test func engineDefaultLivenessTimeoutIsThePresetsDefault() {
        let engine = MediaEngineConfiguration(
            nodeID: "n", role: "edge", mediaHost: "127.0.0.1", announceIP: "127.0.0.1", firstPort: 40000)
        #expect(engine.linkLivenessTimeout == LinkConfiguration.defaultLivenessTimeout)
    }

    @Test func readmeTableStatesThePresetsValues() throws {
        let rows = try LinkPresetTable(readme: RepositoryFiles.text("Sources/Common/RTC/README.md")).rows
        let presets: [(name: String, configuration: LinkConfiguration)] = [
            ("LinkConfiguration.upstreamEnd()", .upstreamEnd()),
            ("LinkConfiguration.downstreamEnd()", .downstreamEnd()),
            ("LinkConfiguration()", LinkConfiguration()),
        ]
        #expect(rows.map(\.preset) == presets.map(\.name))
        for (name, configuration) in presets {
            let row = try #require(rows.first { $0.preset == name }, "README has no row for \(name)")
            let actual: [String: UInt64] = [
                "keepalive after idle": configuration.keepaliveInterval,
                "reports every": configuration.reportInterval,
                "down after silence": configuration.livenessTimeout,
                "quiet after no feedback": configuration.quietTimeout,
                "assumed RTT": configuration.initialRoundTripTime,
            ]
            #expect(Set(row.values.keys).isSubset(of: actual.keys), "\(name): unknown columns")
            for (column, stated) in row.values {
                #expect(stated == actual[column], "\(name), \(column): README says \(stated) ns")
            }
        }
    }
}
