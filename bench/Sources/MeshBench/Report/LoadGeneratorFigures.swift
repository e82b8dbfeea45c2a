/// meshbench's own resident memory over a run (`/proc/self/statm`), and how it grew once it had
/// warmed up: per viewer that finished (left) and per hour, each the slope of a least squares
/// line through the samples of the second half of the time after every viewer had joined
/// (``LoadGeneratorMemory``). Near zero means a run of any length fits; the per-viewer slope is
/// what churn costs.
struct LoadGeneratorFigures: Codable, Sendable, Equatable {
    /// RSS at the first and the last sample, and the largest.
    var rssMbFirst: Double
    var rssMbLast: Double
    var rssMbMax: Double
    /// Viewers that left during the run (folded into the totals and dropped).
    var viewersFinished: Int
    /// Seconds into the run the fits start from: halfway between every viewer having joined
    /// and the end.
    var fitFromSeconds: Double?
    /// RSS growth per finished viewer, KB (no figure without churn).
    var rssKbPerFinishedViewer: Double?
    /// RSS growth per hour, MB.
    var rssMbPerHour: Double?
    /// One sample a second.
    var samples: [LoadGeneratorSample]
}

/// One reading of meshbench's own memory.
struct LoadGeneratorSample: Codable, Sendable, Equatable {
    /// Seconds from the start of the run.
    var t: Double
    /// Resident memory.
    var rssMb: Double
    /// Viewers that had left by then.
    var viewersFinished: Int
}
