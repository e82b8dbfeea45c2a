import Foundation
import Glibc

/// Sums up what the viewers, publishers and node probes measured into a ``RunReport``.
struct RunReportBuilder {
    let scenario: Scenario
    let target: String
    let startedAt: Date
    let requested: Int
    let tallies: [ViewerTally]
    let latency: LatencyRecorder
    let publishers: [PublisherTally]
    let nodes: [NodeFigures]
    let timeline: [TimelinePoint]
    /// When the final snapshot was taken (monotonic ns): the end of every viewer's watch.
    let endedAt: UInt64

    var report: RunReport {
        let watching = tallies.filter { $0.firstRTPAt != nil }
        var failures: [String: Int] = [:]
        for tally in tallies where tally.firstRTPAt == nil {
            failures[Self.reason(tally.failure ?? "no media"), default: 0] += 1
        }
        let expected = tallies.reduce(0) { $0 + $1.video.expected + $1.audio.expected }
        let before = tallies.reduce(0) { $0 + $1.video.lostBeforeRetransmission + $1.audio.lostBeforeRetransmission }
        let after = tallies.reduce(0) { $0 + $1.video.lostAfterRetransmission + $1.audio.lostAfterRetransmission }
        var bytesByLayer: [String: Int] = [:]
        for tally in tallies {
            for (layer, bytes) in tally.bytesByResolution { bytesByLayer[layer, default: 0] += bytes }
        }
        let joins = watching.compactMap(\.joinTime).map { Double($0) / 1e6 }
        let keyframeJoins = watching.compactMap(\.keyframeJoinTime).map { Double($0) / 1e6 }
        var jitter = LatencyRecorder()
        for tally in watching where tally.video.packets > 0 {
            jitter.record(milliseconds: tally.video.jitterMilliseconds)
        }
        let freezeNanoseconds = tallies.reduce(UInt64(0)) { $0 + $1.frozenNanoseconds }
        let longest = tallies.map(\.longestFreezeNanoseconds).max() ?? 0
        // Each viewer's watch: first packet to leaving (or the end), for bitrates per viewer.
        let viewerSeconds = max(
            1,
            watching.reduce(0.0) { total, tally in
                guard let first = tally.firstRTPAt else { return total }
                let last = tally.leftAt ?? endedAt
                return total + (last > first ? Double(last - first) / 1e9 : 0)
            })
        return RunReport(
            scenario: scenario.name, target: target, startedAt: startedAt, build: Self.build,
            machine: MachineDescription(cores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), kernel: Self.kernel),
            viewers: ViewerCounts(
                requested: requested, connected: watching.count, failed: requested - watching.count,
                failureReasons: failures),
            joinMs: JoinTimes(toFirstPacket: Self.percentiles(joins), toFirstKeyframe: Self.percentiles(keyframeJoins)),
            latencyMs: latency.percentiles,
            loss: LossFigures(
                packetsExpected: expected, lostBeforeRetransmission: before, lostAfterRetransmission: after,
                percentBefore: expected > 0 ? Double(before) * 100 / Double(expected) : 0,
                percentAfter: expected > 0 ? Double(after) * 100 / Double(expected) : 0),
            jitterMs: jitter.percentiles,
            nacksSent: tallies.reduce(0) { $0 + $1.nacksSent },
            retransmissionsReceived: tallies.reduce(0) { $0 + $1.video.recovered + $1.audio.recovered },
            plisSent: tallies.reduce(0) { $0 + $1.plisSent },
            plisReceivedByPublishers: publishers.reduce(0) { $0 + $1.plis + $1.firs },
            bitrateKbpsByLayer: bytesByLayer.mapValues { Double($0) * 8 / 1000 / viewerSeconds },
            frozen: FreezeFigures(
                count: tallies.reduce(0) { $0 + $1.freezeCount }, totalSeconds: Double(freezeNanoseconds) / 1e9,
                longestMs: Double(longest) / 1e6),
            nodes: nodes, timeline: timeline, joinSamplesMs: joins, capacity: nil,
            packetsReceived: tallies.reduce(0) { $0 + $1.packets })
    }

    /// Failure texts name the viewer; the report counts reasons, so the numbers go.
    static func reason(_ text: String) -> String {
        String(text.prefix(120))
    }

    static func percentiles(_ values: [Double]) -> Percentiles {
        var recorder = LatencyRecorder()
        for value in values { recorder.record(milliseconds: value) }
        return recorder.percentiles
    }

    static var kernel: String {
        var name = utsname()
        uname(&name)
        return withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// The meshbench build: the git commit of the working directory when there is one.
    static var build: String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["describe", "--always", "--dirty"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "unknown" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return process.terminationStatus == 0 && !text.isEmpty ? text : "unknown"
    }
}
