import Foundation
import Testing

@testable import MeshBench

/// Short scenarios against a real local node, started by meshbench with `meshcast up` as a
/// user's run would be (issue 5's tests): the report agrees with the node's own counters, and
/// a known delay on the publishers' leg shows in the measured latency. Needs
/// `.build/debug/meshcast`, redis-server and ffmpeg (scripts/test provides them).
@Suite(.serialized) struct RunAgainstNodeTests {
    static let root = PublisherEndToEndTests.packageRoot
    static let available =
        PublisherEndToEndTests.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/redis-server")

    /// A one-node topology on free-looking ports, and a scenario of `viewers` viewers on it.
    /// With `turn` (a `viewers.turn` value) the node runs TURN over UDP and TCP.
    static func scenario(
        in directory: URL, viewers: Int, seconds: Int, faults: String = "", turn: String? = nil
    ) throws -> LoadedScenario {
        let apiPort = UInt16.random(in: 20_000...29_999)
        let firstUDP = Int.random(in: 42_000...59_000)
        let turnPort = Int.random(in: 30_000...39_999)
        let relay = Int.random(in: 60_000...65_000)
        let listeners = "\n    turn: {udp: \(turnPort), tcp: \(turnPort), relay_ports: \(relay)-\(relay + 199)}"
        let topology = directory.appendingPathComponent("topology.yaml")
        try """
        mesh: meshbench-run-test
        regions:
          - name: local
            cidrs: [127.0.0.0/8]
        nodes:
          - id: origin-1
            role: origin
            region: local
            api: 127.0.0.1:\(apiPort)
            media: 127.0.0.1
            announce: 127.0.0.1
            ports: \(firstUDP)-\(firstUDP + 99)
            workers: 2\(turn == nil ? "" : listeners)
        secrets:
          cluster: MESHCAST_CLUSTER_SECRET
          token: MESHCAST_SECRET
          redis: MESHCAST_TEST_UNSET_REDIS_URL\(turn == nil ? "" : "\n  turn: MESHCAST_TURN_SECRET")
        """.write(to: topology, atomically: true, encoding: .utf8)
        let yaml = """
            name: run-test
            target:
              topology: \(topology.path)
              under_test: [origin-1]
            duration_seconds: \(seconds)
            publishers:
              count: 1
              enter: origin-1
              video: {codec: vp8, bitrate_kbps: 500}
            viewers:
              count: \(viewers)
              enter: origin-1
              ramp_per_second: 20\(turn.map { "\n  turn: \($0)" } ?? "")
            \(faults)
            """
        return try ScenarioLoader.load(yaml: yaml, file: "run-test.yaml")
    }

    /// `inspect` sees the mesh after the run, before it stops.
    static func run(
        viewers: Int, seconds: Int, faults: String = "", turn: String? = nil,
        inspect: (MeshUnderTest) -> Void = { _ in }
    ) async throws -> RunReport {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "meshbench-run-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let clips = root.appendingPathComponent("bench/clips").path
        #expect(
            try PublisherEndToEndTests.run("/bin/bash", [root.appendingPathComponent("scripts/make-clips").path]) == 0)
        let loaded = try scenario(in: directory, viewers: viewers, seconds: seconds, faults: faults, turn: turn)
        guard case .topology(let path) = loaded.scenario.target.source else { throw MeshUnderTestError("no topology") }
        let mesh = try MeshUnderTest(topology: path, meshcast: PublisherEndToEndTests.meshcast)
        defer { mesh.stop() }
        let target = try MeshcastTarget(mesh: mesh, scenario: loaded.scenario, workerIndex: 1)
        var run = ScenarioRun(
            scenario: loaded.scenario, target: target, clips: try MediaClipSet.load(directory: clips), workers: 1)
        run.showProgress = false
        let report = try await run.execute()
        inspect(mesh)
        return report
    }

    @Test(.enabled(if: available, "needs .build/debug/meshcast, redis-server and ffmpeg"))
    func theReportAgreesWithTheNodesCounters() async throws {
        let report = try await Self.run(viewers: 4, seconds: 4)
        #expect(report.viewers.connected == 4)
        let node = try #require(report.nodes.first)
        let forwarded = try #require(node.packetsForwarded)
        let received = try #require(report.packetsReceived)
        // Forwarded by the node = received by the viewers + lost on the way; the two counters
        // are read a few milliseconds apart, so a few packets per viewer may be in flight.
        let inFlight = 4 * 20
        #expect(
            abs(forwarded - (received + report.loss.lostAfterRetransmission)) <= inFlight,
            "node forwarded \(forwarded), viewers received \(received), lost \(report.loss.lostAfterRetransmission)")
        #expect(report.latencyMs.count > 0, "abs-capture-time reached the viewers")
        #expect(node.cpuSeconds > 0 && node.rssMbMax > 0, "\(node)")
        // Every viewer watched before the run's end, so the report has the steady window's figure.
        let steady = try #require(node.steadyCpuUsPerForwardedPacket, "\(node)")
        #expect(steady > 0)
        // The node was read for 2 s with the publisher alone: it spent something, under a core.
        let baseline = try #require(node.baseline, "\(node)")
        #expect(baseline.seconds >= 1.9 && baseline.cpuPercent > 0 && baseline.cpuPercent < 100, "\(baseline)")
    }

    @Test(.enabled(if: available, "needs .build/debug/meshcast, redis-server and ffmpeg"))
    func aDelayOnThePublishersLegShowsInTheLatency() async throws {
        let direct = try await Self.run(viewers: 2, seconds: 3)
        let delayed = try await Self.run(
            viewers: 2, seconds: 3, faults: "faults:\n  - {at_seconds: 0, delay_publishers: {ms: 50}}")
        let added = delayed.latencyMs.p50 - direct.latencyMs.p50
        // 50 ms on the wire, released by the publisher's 5 ms timer (late by up to a tick, more on a
        // busy machine): the delayed median holds the 50 ms, and moves by about that much. The
        // bounds are wide: a load that slows only one of the two runs moves one median alone.
        let figures = "p50 \(direct.latencyMs.p50) ms direct, \(delayed.latencyMs.p50) ms delayed"
        #expect(delayed.latencyMs.p50 >= 50, "\(figures)")
        #expect(added >= 25 && added <= 150, "\(figures)")
    }
}
