import Foundation
import Testing

@testable import MeshBench

/// Hand-made reports for the report tests; figures chosen so ratios are easy to check by eye.
enum SampleReports {
    static func percentiles(_ p50: Double, _ p99: Double) -> Percentiles {
        Percentiles(count: 100, p50: p50, p90: p50 * 1.5, p95: p50 * 1.8, p99: p99, max: p99 * 1.2)
    }

    static func report(latencyP99: Double = 100, connected: Int = 100, lostAfter: Int = 0, cpuPercent: Double = 80)
        -> RunReport
    {
        RunReport(
            scenario: "fanout", target: "meshcast", startedAt: Date(timeIntervalSince1970: 1_790_000_000),
            build: "0.5.0 debug", machine: MachineDescription(cores: 2, kernel: "6.1.0"),
            viewers: ViewerCounts(
                requested: 100, connected: connected, failed: 100 - connected,
                failureReasons: connected < 100 ? ["ice_timeout": 100 - connected] : [:]),
            joinMs: JoinTimes(toFirstPacket: percentiles(120, 300), toFirstKeyframe: percentiles(200, 900)),
            latencyMs: percentiles(20, latencyP99),
            loss: LossFigures(
                packetsExpected: 10_000, lostBeforeRetransmission: 50, lostAfterRetransmission: lostAfter,
                percentBefore: 0.5, percentAfter: Double(lostAfter) / 100),
            jitterMs: percentiles(2, 9), nacksSent: 40, retransmissionsReceived: 45, plisSent: 3,
            plisReceivedByPublishers: 1, bitrateKbpsByLayer: ["high_layer": 1450.5, "q": 150],
            frozen: FreezeFigures(count: 1, totalSeconds: 0.4, longestMs: 400),
            nodes: [
                NodeFigures(
                    id: "origin-1", role: "origin", pid: 4242, cpuSeconds: 24, cpuPercent: cpuPercent, rssMbMax: 61.5,
                    packetsForwarded: 3_000_000, cpuUsPerForwardedPacket: 8,
                    samples: (0..<30).map {
                        NodeSample(
                            t: Double($0), cpuPercent: cpuPercent, rssMb: 60 + Double($0) / 20,
                            viewers: min($0 * 50, 100))
                    }, rssKbPerViewer: 62.5)
            ],
            timeline: (0..<30).map {
                TimelinePoint(
                    t: Double($0), viewersConnected: connected, packetsPerSecond: 12_000, lossPercent: 0.01,
                    latencyP50Ms: 20, latencyP99Ms: latencyP99)
            },
            joinSamplesMs: (0..<100).map { 100 + Double($0 * 3) },
            capacity: CapacityResult(
                criteria: PassCriteria(),
                trials: [
                    CapacityTrial(
                        viewers: 50, passed: true, lossAfterPercent: 0, latencyP99Ms: 80, cpuPercent: 40, rssMbMax: 64),
                    CapacityTrial(
                        viewers: 100, passed: false, lossAfterPercent: 2, latencyP99Ms: 500, cpuPercent: 99,
                        rssMbMax: 67.125),
                ], largestPassing: 50, perCore: 25, cpuUsPerForwardedPacket: 8, rssKbPerViewer: 62.72))
    }
}

@Suite("run report JSON")
struct ReportJSONTests {
    @Test("a report survives encode then decode unchanged, layer and failure names included")
    func roundTrip() throws {
        let report = SampleReports.report(connected: 97)
        let decoded = try ReportJSON.decode(try ReportJSON.encode(report))
        #expect(decoded == report)
    }

    @Test("keys are snake_case and the schema version is written")
    func snakeCase() throws {
        let text = String(decoding: try ReportJSON.encode(SampleReports.report()), as: UTF8.self)
        for key in [
            "\"schema_version\" : 1", "\"join_ms\"", "\"to_first_keyframe\"", "\"lost_after_retransmission\"",
            "\"plis_received_by_publishers\"", "\"bitrate_kbps_by_layer\"", "\"cpu_us_per_forwarded_packet\"",
            "\"latency_p99_ms\"", "\"largest_passing\"", "\"join_samples_ms\"", "\"rss_mb_max\"",
        ] {
            #expect(text.contains(key), "missing \(key)")
        }
        #expect(!text.contains("joinMs"))
    }
}
