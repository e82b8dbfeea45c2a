/// What a recording capacity trial must stay within (issue 14: "the number of streams one core
/// records within the limits"), on top of ``RecordingFigures``' own limits (every stream
/// recorded and written, written/received ≤ 1.02, no ring drop, no failed recording, no write
/// over 100 ms): no gap, the slowest write of each second under `writeP99Ms` at p99, and the
/// recorder under `cpuPercent` of one core. Frames dropped are not a limit: each stream drops
/// what comes before its first segment opens (its first key frame with a sender report,
/// about 1.4 s per stream at 20 streams), whatever the load.
struct RecordingLimits: Codable, Sendable, Equatable {
    /// The p99 over a trial's seconds of each second's slowest write, ms.
    var writeP99Ms = 50.0
    /// The recorder's CPU, % of one core (its media worker, writer queue and the rest
    /// together): room is left for what else a node does.
    var cpuPercent = 80.0

    /// Each limit `figures` broke, in words; empty when the trial passed.
    func failures(of figures: RecordingFigures) -> [String] {
        var broken = figures.limitFailures
        if figures.gaps > 0 { broken.append("\(figures.gaps) gaps") }
        if figures.writeMsPerSecondMax.p99 > writeP99Ms {
            broken.append(
                "write p99 \(FigureFormat.number(figures.writeMsPerSecondMax.p99)) ms over \(FigureFormat.number(writeP99Ms)) ms"
            )
        }
        if figures.cpuPercent > cpuPercent {
            broken.append(
                "recorder CPU \(FigureFormat.number(figures.cpuPercent)) % over \(FigureFormat.number(cpuPercent)) %")
        }
        return broken
    }
}

/// One trial of the recording capacity search: N publishers, each stream recorded.
struct RecordingCapacityTrial: Codable, Sendable, Equatable {
    /// Streams published and recorded in the trial.
    var streams: Int
    var passed: Bool
    /// What the trial measured (``RecordingFigures``: CPU, bytes, writes, drops).
    var figures: RecordingFigures
    /// The limits it broke (``RecordingLimits/failures(of:)``).
    var failures: [String]
}

/// The outcome of `meshbench capacity` on a recorder: the largest stream count recorded within
/// ``RecordingLimits``, and what recording cost there.
struct RecordingCapacityResult: Codable, Sendable, Equatable {
    /// The recorder measured.
    var node: String
    /// Its media workers in the topology.
    var workers: Int
    var limits: RecordingLimits
    /// The trials, in the order run.
    var trials: [RecordingCapacityTrial]
    /// The most streams a trial recorded within the limits (0 when none did).
    var largestPassing: Int
    /// At the largest passing trial: the recorder's CPU per recorded stream (% of one core).
    var cpuPercentPerStream: Double?
    /// Streams one core records at that cost (100 % / ``cpuPercentPerStream``): the cost is
    /// measured at the largest load that passed, so it includes what many streams share.
    var streamsPerCore: Double?
    /// Bytes written and received and their ratio at the largest passing trial.
    var bytesWritten: Int?
    var bytesReceived: Int?
    var writtenPerReceived: Double?

    /// The result of `trials` under `limits`.
    init(node: String, workers: Int, limits: RecordingLimits, trials: [RecordingCapacityTrial]) {
        self.node = node
        self.workers = workers
        self.limits = limits
        self.trials = trials
        // The climb stops at the first failure, so the largest passing is the last that passed.
        let best = trials.filter(\.passed).max { $0.streams < $1.streams }
        largestPassing = best?.streams ?? 0
        cpuPercentPerStream = best?.figures.cpuPercentPerStream
        streamsPerCore = best?.figures.streamsPerCore
        bytesWritten = best?.figures.bytesWritten
        bytesReceived = best?.figures.bytesReceived
        writtenPerReceived = best?.figures.writtenPerReceived
    }

    /// Issue 14's target: one core records at least this many 1.5 Mbit/s streams.
    static let targetStreamsPerCore = 150.0
}
