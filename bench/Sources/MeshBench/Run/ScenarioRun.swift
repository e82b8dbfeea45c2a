import Foundation
import Glibc

/// One run of a scenario against a ``LoadTarget``: publishers, viewers ramping up, churn and
/// faults on schedule, a sample every second (progress line, timeline, CPU and memory of the
/// processes under test), and the report at the end.
struct ScenarioRun {
    let scenario: Scenario
    let target: any LoadTarget
    let clips: MediaClipSet
    /// Media workers for the viewers.
    let workers: Int
    /// The viewer count (capacity trials override the scenario's).
    var viewers: Int
    var durationSeconds: Double
    /// Prints the live progress line to stderr.
    var showProgress = true
    /// Measures this machine's UDP send limit before the run (``SendLimitProbe``, under a second).
    var measureSendLimit = true
    /// How long the nodes' CPU is read with the publishers up and no viewer (``BaselineFigures``),
    /// before the first viewer joins; 0 leaves the baseline out.
    var baselineSeconds = 2.0
    /// The first publisher's `{n}` in the stream names: trials of one search publish streams no
    /// earlier trial did (a recorder would otherwise take a trial's publisher for the last
    /// trial's reconnecting).
    var firstStreamNumber = 0

    init(scenario: Scenario, target: any LoadTarget, clips: MediaClipSet, workers: Int) {
        self.scenario = scenario
        self.target = target
        self.clips = clips
        self.workers = workers
        viewers = scenario.viewers.count
        durationSeconds = Double(scenario.durationSeconds)
    }

    func execute() async throws -> RunReport {
        // Before anything of the run loads the machine: the kernel's cost alone.
        let sendLimit = measureSendLimit ? Self.sendLimit(destinations: viewers) : nil
        let startedAt = Date()
        let streams = (firstStreamNumber..<firstStreamNumber + scenario.publishers.count).map {
            scenario.publishers.stream.replacingOccurrences(of: "{n}", with: String($0))
        }
        // A recorder's counters and storage are read before its first packet (record.yaml).
        var recording = (target as? MeshcastTarget).flatMap { RecordingProbe(mesh: $0.mesh) }
        try await target.startPublishers(streams, plan: scenario.publishers, clips: clips)
        // The server learns the layers' bitrates over the first second; viewers join after.
        try await Task.sleep(for: .seconds(1))

        let crowd = try await ViewerCrowd(workers: workers, bind: target.viewerHost)
        // meshbench samples itself too: it must cost less than what it measures.
        let itself = MeshUnderTest.Node(id: "meshbench", role: "load generator", base: "", pid: getpid())
        var sampler = NodeSampler(nodes: target.nodesUnderTest + [itself])
        if baselineSeconds > 0 {
            sampler.markBaseline(at: Double(BenchClock.now()) / 1e9)
            try await Task.sleep(for: .seconds(baselineSeconds))
            sampler.markBaseline(at: Double(BenchClock.now()) / 1e9)
        }
        var memory = LoadGeneratorMemory()
        var faults = FaultSchedule(scenario.faults, target: target)
        var timeline = RunTimeline()
        var joined = 0
        var left = 0
        var churn = (join: 0.0, leave: 0.0, since: nil as Double?)
        var burst = scenario.burst.map(JoinBurst.init)
        var rampEnded: Double?
        let rampSeconds = Double(viewers) / Double(max(1, scenario.viewers.rampPerSecond))
        let start = BenchClock.now()
        try await crowd.startArrivalClock(at: start)
        // The CPU window is the whole run, from before the first join to after the last sample
        // the loop took: a loop slowed by joins on a busy machine may sample once or not at all.
        sampler.sample(at: 0, viewers: 0)
        memory.sample(at: 0, viewersFinished: 0)
        let feederAtStart = target.feederCPUSeconds()
        var nextSample = 0.0
        while true {
            let elapsed = Double(BenchClock.now() - start) / 1e9
            if elapsed >= rampSeconds + durationSeconds, burst?.allowsEnd(at: elapsed) ?? true { break }
            let due = min(viewers, Int(elapsed * Double(scenario.viewers.rampPerSecond)) + 1)
            while joined < due {
                try await target.joinViewer(joined, stream: stream(for: joined, of: streams), crowd: crowd)
                joined += 1
            }
            if joined >= viewers, rampEnded == nil { rampEnded = elapsed }
            if var current = burst {
                if current.shouldMark(elapsed: elapsed, rampEnded: rampEnded) {
                    try await crowd.markSteady()
                    current.marked(viewers: joined - left, at: elapsed)
                }
                let due = current.joinsDue(elapsed: elapsed)
                if due > 0 {
                    let batch = (joined..<joined + due).map { ($0, stream(for: $0, of: streams)) }
                    try await target.joinViewers(batch, crowd: crowd)
                    joined += due
                    for _ in 0..<due { current.joinedOne(at: Double(BenchClock.now() - start) / 1e9) }
                }
                burst = current
            }
            await faults.apply(upTo: elapsed)
            if elapsed >= nextSample {
                // One sample per second of the clock; seconds a stalled loop missed are not
                // sampled twice: packets are booked by arrival second and churn by elapsed time.
                nextSample = elapsed.rounded(.down) + 1
                if joined >= viewers {
                    memory.steadyFrom = memory.steadyFrom ?? elapsed
                    let seconds = elapsed - (churn.since ?? elapsed)
                    churn.since = elapsed
                    churn.join += scenario.churn.joinsPerSecond * seconds
                    churn.leave += scenario.churn.leavesPerSecond * seconds
                    while churn.join >= 1 {
                        churn.join -= 1
                        try await target.joinViewer(joined, stream: stream(for: joined, of: streams), crowd: crowd)
                        joined += 1
                    }
                    while churn.leave >= 1, left < joined {
                        churn.leave -= 1
                        try await target.leave(seat: left, crowd: crowd)
                        left += 1
                    }
                }
                await target.tick(elapsed: elapsed)
                let snapshot = try await crowd.snapshot()
                sampler.sample(at: elapsed, viewers: joined - left)
                // The steady window starts once the ramp's viewers all watch (or 2 s after the
                // ramp, for viewers that never connect).
                if let rampEnded, snapshot.watching >= joined - left || elapsed - rampEnded >= 2 {
                    sampler.markSteady(at: elapsed)
                }
                recording?.sample()
                memory.sample(at: elapsed, viewersFinished: crowd.finished.viewers)
                burst?.add(snapshot, at: elapsed)
                let points = timeline.add(snapshot)
                if showProgress, let point = points.last { Self.progress(point, target: viewers) }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }

        let final = try await crowd.snapshot()
        timeline.add(final)
        let endedAt = BenchClock.now()
        let ended = Double(endedAt - start) / 1e9
        burst?.add(final, at: ended)
        sampler.sample(at: ended, viewers: joined - left)
        memory.sample(at: ended, viewersFinished: crowd.finished.viewers)
        let feederCPU = target.feederCPUSeconds().flatMap { end in feederAtStart.map { end - $0 } }
        let latency = try await crowd.totalLatency()
        let sent = await target.publisherTallies()
        // Every viewer, the ones that left and the ones still here (their watch ends now).
        let viewerTotals = final.finished.adding(final.live, endedAt: endedAt)
        var forwarded = sampler.forwardedPackets()
        // A server without /metrics (Janus) forwarded what its viewers received.
        if forwarded.isEmpty, let only = target.nodesUnderTest.first, target.nodesUnderTest.count == 1 {
            forwarded[only.id] = Double(viewerTotals.packets)
        }
        await target.finish(crowd: crowd)
        await crowd.finish()
        let nodes = sampler.figures(forwarded: forwarded)
        var builder = RunReportBuilder(
            scenario: scenario, target: target.name, startedAt: startedAt, requested: joined, viewers: viewerTotals,
            latency: latency, publishers: sent, nodes: nodes, timeline: timeline.points)
        builder.loadGenerator = memory.figures
        builder.sendLimit = sendLimit
        builder.burst = burst?.figures
        if let node = recording?.node.id {
            let cpu = nodes.first { $0.id == node }?.cpuPercent ?? 0
            builder.recording = recording?.finish(streams: streams.count, cpuPercent: cpu)
        }
        builder.delivery = DeliveryFigures(
            feed: target.feed,
            serverCpuSeconds: nodes.filter { $0.id != itself.id }.reduce(0) { $0 + $1.cpuSeconds },
            feederCpuSeconds: feederCPU, packetsDelivered: viewerTotals.packets)
        return builder.report
    }

    /// The send limit to as many destinations as the run has viewers (32 to 1000); a probe that
    /// cannot run (no sockets left) is reported on stderr and leaves the figures out.
    private static func sendLimit(destinations: Int) -> SendLimitFigures? {
        do {
            return try SendLimitProbe(destinations: min(1000, max(32, destinations))).measure()
        } catch {
            FileHandle.standardError.write(Data("\(error); the report has no send limit\n".utf8))
            return nil
        }
    }

    private func stream(for viewer: Int, of streams: [String]) -> String {
        scenario.viewers.streams == .first ? streams[0] : streams[viewer % streams.count]
    }

    private static func progress(_ point: TimelinePoint, target: Int) {
        let line = ProgressLine.render(
            elapsedSeconds: point.t, viewersConnected: point.viewersConnected, viewersTarget: target,
            packetsPerSecond: point.packetsPerSecond, lossPercent: point.lossPercent,
            latencyP50Ms: point.latencyP50Ms, latencyP99Ms: point.latencyP99Ms, late: point.late == true)
        FileHandle.standardError.write(Data(("\r" + line + "   ").utf8))
    }
}
