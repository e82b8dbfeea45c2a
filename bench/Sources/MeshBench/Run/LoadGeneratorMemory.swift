import MeshRuntime

/// meshbench's own resident memory, read from `/proc/self/statm` (MeshRuntime's
/// `ProcessUsage`) once a second with the count of viewers that had left, and its slopes for
/// the report (``LoadGeneratorFigures``).
///
/// The slopes are fitted over the second half of the time after every viewer had joined: the
/// first minutes hold a one-off warm-up (the allocator's arenas, buffers, histograms growing
/// to their range: 73 to 111 MB in the first minute of a churn run, then 111 to 118 MB over
/// the next 29), which a fit from the start would spread over the whole run.
struct LoadGeneratorMemory {
    private(set) var samples: [LoadGeneratorSample] = []
    /// Seconds into the run from which every viewer had joined.
    var steadyFrom: Double?

    /// Reads this process's RSS at `t` seconds into the run.
    mutating func sample(at t: Double, viewersFinished: Int) {
        guard let bytes = ProcessUsage.residentBytes() else { return }
        record(at: t, residentBytes: bytes, viewersFinished: viewersFinished)
    }

    /// Adds one reading.
    mutating func record(at t: Double, residentBytes: Int, viewersFinished: Int) {
        samples.append(
            LoadGeneratorSample(t: t, rssMb: Double(residentBytes) / 1_048_576, viewersFinished: viewersFinished))
    }

    /// The report's figures; `nil` without a sample.
    var figures: LoadGeneratorFigures? {
        guard let first = samples.first, let last = samples.last else { return nil }
        let fitFrom = steadyFrom.map { $0 + (last.t - $0) / 2 }
        let steady = samples.filter { $0.t >= (fitFrom ?? .infinity) }
        let perViewer = Self.slope(steady.map { (Double($0.viewersFinished), $0.rssMb * 1024) })
        let perHour = Self.slope(steady.map { ($0.t / 3600, $0.rssMb) })
        return LoadGeneratorFigures(
            rssMbFirst: first.rssMb, rssMbLast: last.rssMb, rssMbMax: samples.map(\.rssMb).max() ?? 0,
            viewersFinished: last.viewersFinished, fitFromSeconds: fitFrom, rssKbPerFinishedViewer: perViewer,
            rssMbPerHour: perHour, samples: samples)
    }

    /// The slope of the least squares line through `points`; `nil` unless x takes two values.
    static func slope(_ points: [(x: Double, y: Double)]) -> Double? {
        guard points.count >= 2 else { return nil }
        let count = Double(points.count)
        let meanX = points.reduce(0) { $0 + $1.x } / count
        let meanY = points.reduce(0) { $0 + $1.y } / count
        var covariance = 0.0
        var variance = 0.0
        for point in points {
            covariance += (point.x - meanX) * (point.y - meanY)
            variance += (point.x - meanX) * (point.x - meanX)
        }
        return variance > 0 ? covariance / variance : nil
    }
}
