/// The outcome of a capacity search: the trials run and the largest viewer count that passed.
struct CapacityResult: Codable, Sendable, Equatable {
    /// What a trial had to stay within.
    var criteria: PassCriteria
    /// The trials, in the order run.
    var trials: [CapacityTrial]
    /// The largest viewer count whose trial passed (0 when none did).
    var largestPassing: Int
    /// `largestPassing` per CPU core of the machine.
    var perCore: Double
    /// CPU microseconds per forwarded packet at the largest passing trial.
    var cpuUsPerForwardedPacket: Double?
    /// The node under test's resident memory per viewer, KB: the least-squares slope of each
    /// trial's peak RSS against its viewers (one node serves every trial, so a trial's peak is
    /// the most its allocator ever held: the high-water mark for that many viewers).
    var rssKbPerViewer: Double? = nil
}

/// One capacity-search trial.
struct CapacityTrial: Codable, Sendable, Equatable {
    /// Viewers in the trial.
    var viewers: Int
    /// Whether loss and latency stayed within the criteria.
    var passed: Bool
    /// Loss after retransmission.
    var lossAfterPercent: Double
    /// 99th-percentile latency.
    var latencyP99Ms: Double
    /// CPU use of the nodes under test, 100 = one core.
    var cpuPercent: Double
    /// Peak resident memory of the node under test.
    var rssMbMax: Double? = nil
}
