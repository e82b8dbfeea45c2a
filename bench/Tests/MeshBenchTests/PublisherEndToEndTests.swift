import Foundation
import MeshRuntime
import MeshTestSupport
import Testing

@testable import MeshBench

/// A real `meshcast node` receives what `BenchPublisher` sends over WHIP, ICE, DTLS and SRTP
/// (RFC 9725 §4.2). Needs `.build/debug/meshcast` and ffmpeg (for scripts/make-clips);
/// skipped without them.
@Suite struct PublisherEndToEndTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // MeshBenchTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // bench
        .deletingLastPathComponent()
    static let meshcast = packageRoot.appendingPathComponent(".build/debug/meshcast").path
    static let available =
        FileManager.default.isExecutableFile(atPath: meshcast)
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg")

    @Test(.enabled(if: available, "needs .build/debug/meshcast and ffmpeg"))
    func theNodeReceivesWhatThePublisherSent() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "meshbench-publish-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let clips = directory.appendingPathComponent("clips").path
        #expect(
            try Self.run("/bin/bash", [Self.packageRoot.appendingPathComponent("scripts/make-clips").path, clips]) == 0)

        let apiPort = UInt16.random(in: 20_000...29_999)
        let firstUDP = Int.random(in: 42_000...59_000)
        let topology = directory.appendingPathComponent("topology.yaml")
        try """
        mesh: meshbench-test
        regions:
          - name: loopback
            cidrs: [127.0.0.0/8]
            coordinates: {lat: 0, lon: 0}
        nodes:
          - id: origin-1
            role: origin
            region: loopback
            api: 127.0.0.1:\(apiPort)
            media: 127.0.0.1
            announce: 127.0.0.1
            ports: \(firstUDP)-\(firstUDP + 99)
            workers: 2
        secrets:
          cluster: MESHCAST_CLUSTER_SECRET
          token: MESHCAST_SECRET
        """.write(to: topology, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["MESHCAST_SECRET"] = "meshbench-end-to-end-token-secret"
        environment["MESHCAST_CLUSTER_SECRET"] = "meshbench-end-to-end-cluster-secret"
        environment["MESHCAST_REDIS_URL"] = nil

        let node = Process()
        node.executableURL = URL(fileURLWithPath: Self.meshcast)
        node.arguments = ["node", "--topology", topology.path, "--id", "origin-1"]
        node.environment = environment
        node.standardOutput = FileHandle.nullDevice
        node.standardError = FileHandle.nullDevice
        try node.run()
        defer {
            node.terminate()
            node.waitUntilExit()
        }
        let base = "http://127.0.0.1:\(apiPort)"
        let ready = try #require(HTTPURL(base + "/ready"))
        var isReady = false
        for _ in 0..<150 where node.isRunning {
            if (try? HTTPClient.request("GET", ready, timeoutSeconds: 1))?.status == 200 {
                isReady = true
                break
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        try #require(isReady, "node not ready")

        let token = try Self.output(Self.meshcast, ["token", "--stream", "e2e", "--publish"], environment: environment)
        let run = WHIPPublishRun(
            endpoint: try #require(HTTPURL(base + "/whip/e2e")), token: token, simulcast: true, bind: "127.0.0.1",
            connectTimeout: 10)
        let worker = try MediaWorker(index: 0, cpu: nil)
        defer { worker.stop() }
        let tally = try await run.publish(clips: try MediaClipSet.load(directory: clips), worker: worker, duration: 3)
        #expect(tally.failure == nil)
        #expect(tally.streams.count == 4)
        #expect(tally.streams.allSatisfy { $0.packets > 0 })

        // Every RTP packet and SR reaches the node, plus a few STUN and DTLS datagrams.
        let metrics = try HTTPClient.request("GET", try #require(HTTPURL(base + "/metrics")))
        let received = Int(NodeMetrics.total("meshcast_packets_in_total", in: metrics.text) ?? 0)
        let sent = tally.packets + tally.resent + tally.senderReports
        #expect(received >= sent)
        #expect(received <= sent + 100)
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func output(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> String {
        let output = try ChildProcess.run(URL(fileURLWithPath: executable), arguments, environment: environment)
        return output.stdout.split(separator: "\n").last.map(String.init) ?? ""
    }
}
