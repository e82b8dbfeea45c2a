import Foundation
import Glibc

/// Sums up what the viewers, publishers and node probes measured into a ``RunReport``.
struct RunReportBuilder {
    let scenario: Scenario
    let target: String
    let startedAt: Date
    let requested: Int
    /// Every viewer's figures, folded (``ViewerTotals``: the ones that left during the run and
    /// the ones still there at the end).
    let viewers: ViewerTotals
    let latency: LatencyRecorder
    let publishers: [PublisherTally]
    let nodes: [NodeFigures]
    let timeline: [TimelinePoint]
    /// meshbench's own memory over the run.
    var loadGenerator: LoadGeneratorFigures?
    /// How the target was fed, and the CPU it took to deliver the viewers' packets.
    var delivery: DeliveryFigures?
    /// The send limit measured before the run (``SendLimitProbe``).
    var sendLimit: SendLimitFigures?
    /// The join burst, when the scenario had one.
    var burst: BurstFigures?
    /// What recording the streams cost, when the mesh has a recorder.
    var recording: RecordingFigures?

    var report: RunReport {
        let totals = viewers
        let expected = totals.expected
        let before = totals.lostBeforeRetransmission
        let after = totals.lostAfterRetransmission
        // Each viewer's watch: first packet to leaving (or the end), for bitrates per viewer.
        let viewerSeconds = max(1, Double(totals.watchNanoseconds) / 1e9)
        return RunReport(
            scenario: scenario.name, target: target, startedAt: startedAt, build: Self.build,
            machine: MachineDescription(cores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), kernel: Self.kernel),
            viewers: ViewerCounts(
                requested: requested, connected: totals.watched, failed: requested - totals.watched,
                failureReasons: totals.failureReasons),
            joinMs: JoinTimes(
                toFirstPacket: totals.joins.percentiles, toFirstKeyframe: totals.keyframeJoins.percentiles),
            latencyMs: latency.percentiles,
            loss: LossFigures(
                packetsExpected: expected, lostBeforeRetransmission: before, lostAfterRetransmission: after,
                percentBefore: expected > 0 ? Double(before) * 100 / Double(expected) : 0,
                percentAfter: expected > 0 ? Double(after) * 100 / Double(expected) : 0),
            jitterMs: totals.jitter.percentiles,
            nacksSent: totals.nacksSent,
            retransmissionsReceived: totals.recovered,
            plisSent: totals.plisSent,
            plisReceivedByPublishers: publishers.reduce(0) { $0 + $1.plis + $1.firs },
            bitrateKbpsByLayer: totals.bytesByLayer.mapValues { Double($0) * 8 / 1000 / viewerSeconds },
            frozen: FreezeFigures(
                count: totals.freezeCount, totalSeconds: Double(totals.frozenNanoseconds) / 1e9,
                longestMs: Double(totals.longestFreezeNanoseconds) / 1e6),
            nodes: nodes, timeline: timeline, joinSamplesMs: totals.joinSamples, capacity: nil,
            packetsReceived: totals.packets, loadGenerator: loadGenerator, delivery: delivery,
            sendLimit: sendLimit?.sharing(with: nodes), burst: burst, recording: recording)
    }

    /// Failure texts name the viewer; the report counts reasons, so the numbers go.
    static func reason(_ text: String) -> String {
        String(text.prefix(120))
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
