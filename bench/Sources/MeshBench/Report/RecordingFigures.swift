/// What recording the run's streams cost a recorder (`bench/scenarios/record.yaml`, issue 14):
/// its CPU per recorded stream, the bytes it wrote to disk against the RTP bytes its relay link
/// received, how long its writes took, and from the CPU a figure for how many streams one core
/// records. Absent from runs without a recorder.
struct RecordingFigures: Codable, Sendable, Equatable {
    /// The recorder measured.
    var node: String
    /// Streams published (each matches the record policy).
    var streams: Int
    /// The most recordings the recorder had open at once (`meshcast_recordings_active`).
    var recordingsActiveMax: Int
    /// Recordings that wrote at least one non-empty segment file during the run (an active
    /// recording whose stream never reached the recorder writes nothing); `nil` when not counted.
    var recordingsWritten: Int? = nil
    /// The recorder's CPU over the sampled window, in % of one core.
    var cpuPercent: Double
    /// That CPU per recorded stream (% of one core).
    var cpuPercentPerStream: Double?
    /// RTP bytes the recorder's relay links received (`meshcast_relay_link_bytes_total`:
    /// headers and extensions included, retransmissions too), from before the publishers
    /// started until every recording had closed.
    var bytesReceived: Int
    /// Bytes of segment files that appeared in the recorder's storage over the same span
    /// (`.webm`, `.mkv` and `.part` files, closed: Cues and Duration included).
    var bytesWritten: Int
    /// `bytesWritten / bytesReceived`; the target is at most ``maxWrittenRatio``.
    var writtenPerReceived: Double?
    /// The slowest frame write or segment close in each second of the run
    /// (`meshcast_recording_write_seconds_max`, scraped once a second), in ms: p50, p95, p99
    /// and max over those seconds (`count`: the seconds).
    var writeMsPerSecondMax: Percentiles
    /// Frames no segment took, ring drops (the writer fell behind), gaps catalogued and
    /// recordings failed, over the run.
    var droppedFrames: Int
    var tapDrops: Int
    var gaps: Int
    var failures: Int
    /// Streams one core would record at this CPU per stream (100 % / ``cpuPercentPerStream``):
    /// a linear estimate from one load, not a search; `nil` when the CPU was not measured.
    var streamsPerCore: Double?
    /// Whether the run stayed within the recording limits (``limitFailures`` is empty).
    var withinLimits: Bool
    /// Each limit the run broke, in words.
    var limitFailures: [String]

    /// The most bytes written per byte received (issue 14: ≤ 1.02).
    static let maxWrittenRatio = 1.02
    /// The slowest write allowed in any second: a write that takes longer holds up the
    /// recorder's one queue for every stream.
    static let maxWriteMs = 100.0

    /// The figures from what ``RecordingProbe`` read and the recorder's CPU over the run.
    init(
        node: String, streams: Int, recordingsActiveMax: Int, cpuPercent: Double, bytesReceived: Int,
        bytesWritten: Int, writeSecondsMaxima: [Double], droppedFrames: Int, tapDrops: Int, gaps: Int, failures: Int
    ) {
        self.node = node
        self.streams = streams
        self.recordingsActiveMax = recordingsActiveMax
        self.cpuPercent = cpuPercent
        let perStream = streams > 0 && cpuPercent > 0 ? cpuPercent / Double(streams) : nil
        cpuPercentPerStream = perStream
        self.bytesReceived = bytesReceived
        self.bytesWritten = bytesWritten
        let ratio = bytesReceived > 0 ? Double(bytesWritten) / Double(bytesReceived) : nil
        writtenPerReceived = ratio
        writeMsPerSecondMax = Self.percentiles(writeSecondsMaxima.map { $0 * 1000 })
        self.droppedFrames = droppedFrames
        self.tapDrops = tapDrops
        self.gaps = gaps
        self.failures = failures
        streamsPerCore = perStream.map { 100 / $0 }
        var broken: [String] = []
        if recordingsActiveMax < streams { broken.append("\(recordingsActiveMax) of \(streams) streams recorded") }
        if let ratio, ratio > Self.maxWrittenRatio {
            broken.append("\(FigureFormat.number(ratio, digits: 3)) bytes written per byte received")
        }
        if bytesWritten == 0 { broken.append("nothing written") }
        if tapDrops > 0 { broken.append("\(tapDrops) packets dropped by the taps' rings") }
        if failures > 0 { broken.append("\(failures) recordings failed") }
        if writeMsPerSecondMax.max > Self.maxWriteMs {
            broken.append("a write took \(FigureFormat.number(writeMsPerSecondMax.max)) ms")
        }
        limitFailures = broken
        withinLimits = broken.isEmpty
    }

    /// Sets ``recordingsWritten`` and fails the limits when fewer recordings wrote than streams
    /// were published; the CPU per stream then divides by the recordings that wrote (the
    /// others cost the recorder next to nothing, so dividing by all would flatter it).
    mutating func noteWritten(recordings: Int) {
        recordingsWritten = recordings
        if recordings > 0, cpuPercent > 0 {
            cpuPercentPerStream = cpuPercent / Double(min(recordings, streams))
            streamsPerCore = cpuPercentPerStream.map { 100 / $0 }
        }
        if recordings < streams {
            limitFailures.append("\(recordings) of \(streams) recordings wrote a segment")
            withinLimits = false
        }
    }

    /// Nearest-rank percentiles of a few samples (one per second); zeros for none.
    static func percentiles(_ values: [Double]) -> Percentiles {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .empty }
        func rank(_ share: Double) -> Double {
            sorted[min(sorted.count - 1, max(0, Int((share * Double(sorted.count)).rounded(.up)) - 1))]
        }
        return Percentiles(
            count: sorted.count, p50: rank(0.5), p90: rank(0.9), p95: rank(0.95), p99: rank(0.99),
            max: sorted[sorted.count - 1])
    }

    /// The text summary's `recording:` lines.
    var summary: [String] {
        let number = { (value: Double) in FigureFormat.number(value) }
        let perStream = cpuPercentPerStream.map { "\(number($0)) % CPU per stream" } ?? "CPU per stream unmeasured"
        let perCore = streamsPerCore.map { "≈ \(FigureFormat.number($0, digits: 0)) streams per core" } ?? "-"
        let ratio = writtenPerReceived.map { FigureFormat.number($0, digits: 3) } ?? "-"
        let verdict = withinLimits ? "within limits" : "OUT OF LIMITS: " + limitFailures.joined(separator: "; ")
        return [
            "recording: \(node) \(recordingsActiveMax)/\(streams) streams"
                + (recordingsWritten.map { " (\($0) wrote)" } ?? "") + ", CPU \(number(cpuPercent)) %, "
                + "\(perStream), \(perCore)",
            "           written/received \(ratio) (\(bytesWritten) / \(bytesReceived) bytes); "
                + "slowest write per second \(FigureFormat.percentiles(writeMsPerSecondMax))",
            "           \(droppedFrames) frames dropped, \(tapDrops) ring drops, \(gaps) gaps, "
                + "\(failures) failed; \(verdict)",
        ]
    }
}
