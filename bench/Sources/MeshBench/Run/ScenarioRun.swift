import Foundation
import Glibc
import Histogram
import MeshRuntime

/// One run of a scenario against the Meshcast mesh: publishers, viewers ramping up, churn
/// and faults on schedule, a sample every second (progress line, timeline, node CPU and
/// memory), and the report at the end.
struct ScenarioRun {
    let scenario: Scenario
    let mesh: MeshUnderTest
    let clips: MediaClipSet
    /// Media workers for the viewers.
    let workers: Int
    /// The viewer count (capacity trials override the scenario's).
    var viewers: Int
    var durationSeconds: Double
    /// Prints the live progress line to stderr.
    var showProgress = true

    init(scenario: Scenario, mesh: MeshUnderTest, clips: MediaClipSet, workers: Int) {
        self.scenario = scenario
        self.mesh = mesh
        self.clips = clips
        self.workers = workers
        viewers = scenario.viewers.count
        durationSeconds = Double(scenario.durationSeconds)
    }

    func execute() async throws -> RunReport {
        let startedAt = Date()
        let publishToken = try mesh.token(publish: true)
        let viewToken = try mesh.token(publish: false)
        let streams = (0..<scenario.publishers.count).map {
            scenario.publishers.stream.replacingOccurrences(of: "{n}", with: String($0))
        }

        let publisherWorker = try MediaWorker(index: workers, cpu: nil)
        let publishers = try PublisherGroup(worker: publisherWorker)
        let layer = MediaClipSet.layer(closestTo: scenario.publishers.video.bitrateKbps)
        for stream in streams {
            try await publishers.publish(
                stream: stream, endpoint: try endpoint("whip", stream: stream, enter: scenario.publishers.enter),
                token: publishToken, clips: clips, simulcast: scenario.publishers.video.simulcast, layer: layer)
        }
        try await publishers.waitUntilSending(timeout: 10)
        // The node learns the layers' bitrates over the first second; viewers join after.
        try await Task.sleep(for: .seconds(1))

        let crowd = try await ViewerCrowd(workers: workers)
        var sampler = NodeSampler(
            nodes: mesh.nodes.filter { node in
                scenario.target.underTest.map { $0.contains(node.id) } ?? true
            })
        var timeline: [TimelinePoint] = []
        var faults = FaultSchedule(scenario.faults, mesh: mesh, publishers: publishers)
        let start = BenchClock.now()
        var nextViewer = 0
        var churnCredit = (join: 0.0, leave: 0.0)
        var leftCount = 0
        var previous = (packets: 0, expected: 0, lost: 0)
        let rampEnd = Double(viewers) / Double(max(1, scenario.viewers.rampPerSecond))
        let end = rampEnd + durationSeconds
        var tick = 0
        while true {
            let elapsed = Double(BenchClock.now() - start) / 1e9
            if elapsed >= end { break }
            // Ramp: as many joins as the rate allows by now.
            let due = min(viewers, Int(elapsed * Double(scenario.viewers.rampPerSecond)) + 1)
            while nextViewer < due {
                try await crowd.join(endpoint: try viewerEndpoint(nextViewer, streams: streams), token: viewToken)
                nextViewer += 1
            }
            await faults.apply(upTo: elapsed)
            // One sample a second.
            if elapsed >= Double(tick) {
                tick += 1
                if nextViewer >= viewers {
                    churnCredit.join += scenario.churn.joinsPerSecond
                    churnCredit.leave += scenario.churn.leavesPerSecond
                    while churnCredit.join >= 1 {
                        churnCredit.join -= 1
                        try await crowd.join(
                            endpoint: try viewerEndpoint(nextViewer, streams: streams), token: viewToken)
                        nextViewer += 1
                    }
                    while churnCredit.leave >= 1 {
                        churnCredit.leave -= 1
                        _ = try await crowd.leaveOldest(token: viewToken, skipping: &leftCount)
                    }
                }
                let (tallies, latency) = try await crowd.snapshot()
                sampler.sample(at: elapsed)
                let packets = tallies.reduce(0) { $0 + $1.packets }
                let expected = tallies.reduce(0) { $0 + $1.video.expected + $1.audio.expected }
                let lost = tallies.reduce(0) {
                    $0 + $1.video.lostAfterRetransmission + $1.audio.lostAfterRetransmission
                }
                let interval = (packets - previous.packets, expected - previous.expected, lost - previous.lost)
                previous = (packets, expected, lost)
                let point = TimelinePoint(
                    t: elapsed, viewersConnected: tallies.filter(\.isWatching).count,
                    packetsPerSecond: Double(interval.0),
                    lossPercent: interval.1 > 0 ? Double(max(0, interval.2)) * 100 / Double(interval.1) : 0,
                    latencyP50Ms: Double(latency.valueAtPercentile(50)) / 1000,
                    latencyP99Ms: Double(latency.valueAtPercentile(99)) / 1000)
                timeline.append(point)
                if showProgress {
                    let line = ProgressLine.render(
                        elapsedSeconds: elapsed, viewersConnected: point.viewersConnected, viewersTarget: viewers,
                        packetsPerSecond: point.packetsPerSecond, lossPercent: point.lossPercent,
                        latencyP50Ms: point.latencyP50Ms, latencyP99Ms: point.latencyP99Ms)
                    FileHandle.standardError.write(Data(("\r" + line + "   ").utf8))
                }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
        faults.undo()

        let (tallies, _) = try await crowd.snapshot()
        let latency = try await crowd.totalLatency()
        let sent = try await publishers.snapshot()
        let forwarded = sampler.forwardedPackets()
        await crowd.finish(token: viewToken)
        await publishers.finish()
        publisherWorker.stop()
        return RunReportBuilder(
            scenario: scenario, target: "meshcast", startedAt: startedAt, requested: nextViewer, tallies: tallies,
            latency: latency, publishers: sent, nodes: sampler.figures(forwarded: forwarded), timeline: timeline,
            windowSeconds: durationSeconds
        ).report
    }

    /// `/whip/STREAM` or `/whep/STREAM` at the entry node, or at the first node for placement.
    private func endpoint(_ kind: String, stream: String, enter: EntryPoint, region: String? = nil) throws -> HTTPURL {
        let base: String
        switch enter {
        case .node(let id):
            guard let node = mesh.node(id) else { throw MeshUnderTestError("node \(id) is not in the mesh") }
            base = node.base
        case .placement:
            guard let first = mesh.nodes.first else { throw MeshUnderTestError("the mesh has no node") }
            base = first.base
        }
        let query = region.map { "?region=\($0)" } ?? ""
        guard let url = HTTPURL("\(base)/\(kind)/\(stream)\(query)") else {
            throw MeshUnderTestError("\(base) is not an http:// URL")
        }
        return url
    }

    private func viewerEndpoint(_ index: Int, streams: [String]) throws -> HTTPURL {
        let stream = scenario.viewers.streams == .first ? streams[0] : streams[index % streams.count]
        let regions = scenario.viewers.regions
        let region = regions.isEmpty ? nil : regions[index % regions.count]
        return try endpoint("whep", stream: stream, enter: scenario.viewers.enter, region: region)
    }
}
