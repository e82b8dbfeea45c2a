import Glibc

/// CPU and memory of the nodes under test, read once a second from `/proc` for local
/// processes and from `/metrics` for the others, and their forwarded-packet counters from
/// `/metrics` at the start and the end.
struct NodeSampler {
    private struct Track {
        let node: MeshUnderTest.Node
        var first: (at: Double, reading: ProcessProbe.Reading)?
        var last: (at: Double, reading: ProcessProbe.Reading)?
        /// The reading the chart's latest point was measured from.
        var charted: (at: Double, reading: ProcessProbe.Reading)?
        var samples: [NodeSample] = []
        /// Every reading's viewers with a session and RSS in KB, for the per-viewer slope.
        var residentByViewers: [(x: Double, y: Double)] = []
        var maxResident = 0
        var forwardedAtStart: Double?
        /// The reading and the forwarded count when the ramp's viewers all watched: the start
        /// of the steady window, which leaves the joins' ICE and DTLS work out of the cost.
        var steady: (at: Double, reading: ProcessProbe.Reading, forwarded: Double)?
        /// Readings with the publishers up and no viewer (``markBaseline(at:)``), at monotonic
        /// seconds.
        var baseline: [(at: Double, reading: ProcessProbe.Reading)] = []
    }

    private var tracks: [Track]
    /// The shortest span (seconds) a chart point's CPU figure is measured over.
    static let shortestSpan = 0.5

    init(nodes: [MeshUnderTest.Node]) {
        tracks = nodes.map { node in
            Track(node: node, forwardedAtStart: Self.forwarded(node))
        }
    }

    /// Reads every local node at `at` seconds into the run, when `viewers` had a session.
    mutating func sample(at seconds: Double, viewers: Int) {
        for index in tracks.indices {
            guard let reading = Self.reading(tracks[index].node) else { continue }
            // A chart point spans at least half a second: CPU time counts in 10 ms ticks, so a
            // shorter span (the run's first and last readings) would show a spike or nothing.
            if let charted = tracks[index].charted {
                if seconds - charted.at >= Self.shortestSpan {
                    let cpu =
                        (reading.cpuMicroseconds - charted.reading.cpuMicroseconds) / 1e6 / (seconds - charted.at) * 100
                    tracks[index].samples.append(
                        NodeSample(
                            t: seconds, cpuPercent: max(0, cpu), rssMb: Double(reading.residentBytes) / 1_048_576,
                            viewers: viewers))
                    tracks[index].charted = (seconds, reading)
                }
            } else {
                tracks[index].charted = (seconds, reading)
            }
            if tracks[index].first == nil { tracks[index].first = (seconds, reading) }
            tracks[index].last = (seconds, reading)
            tracks[index].maxResident = max(tracks[index].maxResident, reading.residentBytes)
            tracks[index].residentByViewers.append((Double(viewers), Double(reading.residentBytes) / 1024))
        }
    }

    /// Starts the steady window (the ramp's viewers all watch) at `seconds` into the run: one
    /// more reading and one `/metrics` scrape per node. Later calls change nothing.
    mutating func markSteady(at seconds: Double) {
        for index in tracks.indices where tracks[index].steady == nil {
            let node = tracks[index].node
            guard let reading = Self.reading(node), let forwarded = Self.forwarded(node) else { continue }
            tracks[index].steady = (seconds, reading, forwarded)
        }
    }

    /// Reads every node for the baseline, at `seconds` on any monotonic clock: call it when the
    /// publishers are up and before the first viewer joins, and again some seconds later; the
    /// first and the last reading bound it.
    mutating func markBaseline(at seconds: Double) {
        for index in tracks.indices {
            guard let reading = Self.reading(tracks[index].node) else { continue }
            tracks[index].baseline.append((seconds, reading))
        }
    }

    /// Packets each node forwarded since the sampler was made (`meshcast_packets_forwarded_total`).
    func forwardedPackets() -> [String: Double] {
        var result: [String: Double] = [:]
        for track in tracks {
            guard let start = track.forwardedAtStart, let end = Self.forwarded(track.node) else { continue }
            result[track.node.id] = end - start
        }
        return result
    }

    /// The report's figures per node.
    func figures(forwarded: [String: Double]) -> [NodeFigures] {
        tracks.map { track in
            var cpuSeconds = 0.0
            var span = 0.0
            if let first = track.first, let last = track.last {
                cpuSeconds = (last.reading.cpuMicroseconds - first.reading.cpuMicroseconds) / 1e6
                span = last.at - first.at
            }
            let packets = forwarded[track.node.id]
            let perPacket = packets.flatMap { $0 > 0 && cpuSeconds > 0 ? cpuSeconds * 1e6 / $0 : nil }
            var steadyPerPacket: Double?
            var sleeps: SleepFigures?
            var window: (cpuMicroseconds: Double, seconds: Double, packets: Double)?
            if let steady = track.steady, let last = track.last, let packets, let start = track.forwardedAtStart {
                let steadyPackets = packets - (steady.forwarded - start)
                let steadyCPU = last.reading.cpuMicroseconds - steady.reading.cpuMicroseconds
                if steadyPackets > 0, steadyCPU > 0 { steadyPerPacket = steadyCPU / steadyPackets }
                sleeps = SleepFigures(
                    from: steady.reading.sleeps, to: last.reading.sleeps, seconds: last.at - steady.at,
                    packets: steadyPackets)
                window = (steadyCPU, last.at - steady.at, steadyPackets)
            }
            let baseline = track.baseline.first.flatMap { first in
                track.baseline.last.flatMap { last in
                    BaselineFigures(
                        cpuFrom: first.reading.cpuMicroseconds, to: last.reading.cpuMicroseconds,
                        seconds: last.at - first.at, steady: window)
                }
            }
            return NodeFigures(
                id: track.node.id, role: track.node.role, pid: track.node.pid.map(Int.init), cpuSeconds: cpuSeconds,
                cpuPercent: span > 0 ? cpuSeconds / span * 100 : 0, rssMbMax: Double(track.maxResident) / 1_048_576,
                packetsForwarded: packets.map { Int($0) }, cpuUsPerForwardedPacket: perPacket,
                steadyCpuUsPerForwardedPacket: steadyPerPacket, steadySleeps: sleeps, baseline: baseline,
                samples: track.samples,
                rssKbPerViewer: LoadGeneratorMemory.slope(track.residentByViewers))
        }
    }

    /// CPU time and RSS from `/proc` for a local node, else from its `/metrics`.
    private static func reading(_ node: MeshUnderTest.Node) -> ProcessProbe.Reading? {
        node.pid.flatMap { ProcessProbe.read(pid: $0) }
            ?? HTTPURL(node.base + "/metrics").flatMap(ProcessProbe.read(metrics:))
    }

    private static func forwarded(_ node: MeshUnderTest.Node) -> Double? {
        HTTPURL(node.base + "/metrics").flatMap { NodeMetrics.total(NodeMetrics.forwardedPackets, at: $0) }
    }
}
