import Foundation

/// Everything one meshbench run measured, written as JSON (snake_case keys) and read back by
/// `meshbench compare`; the text, progress and HTML renderers all draw from it.
struct RunReport: Codable, Sendable, Equatable {
    /// The JSON layout's version; raised when a field changes meaning or goes away.
    static let currentSchemaVersion = 1

    /// The layout version this report was written with.
    var schemaVersion: Int = RunReport.currentSchemaVersion
    /// The scenario's name.
    var scenario: String
    /// What was measured: "meshcast" or "janus".
    var target: String
    /// When the measured run started.
    var startedAt: Date
    /// The build measured (version, commit, debug/release), as free text.
    var build: String
    /// The machine the run was on.
    var machine: MachineDescription
    /// Viewers asked for, joined and failed.
    var viewers: ViewerCounts
    /// How long joining took.
    var joinMs: JoinTimes
    /// One-way media latency, publisher to viewer.
    var latencyMs: Percentiles
    /// Packets lost, before and after retransmission.
    var loss: LossFigures
    /// Interarrival jitter seen by viewers.
    var jitterMs: Percentiles
    /// NACKs the viewers sent.
    var nacksSent: Int
    /// Retransmitted packets the viewers received.
    var retransmissionsReceived: Int
    /// PLIs the viewers sent.
    var plisSent: Int
    /// PLIs that reached the publishers.
    var plisReceivedByPublishers: Int
    /// Mean received bitrate per simulcast layer (layer name to kbit/s).
    var bitrateKbpsByLayer: [String: Double]
    /// Video freezes seen by viewers.
    var frozen: FreezeFigures
    /// Per-node CPU and memory.
    var nodes: [NodeFigures]
    /// Figures second by second.
    var timeline: [TimelinePoint]
    /// Every join time (to first packet), for the distribution chart.
    var joinSamplesMs: [Double]
    /// The capacity search, when one ran.
    var capacity: CapacityResult?
    /// RTP packets the viewers received, retransmissions included (to check against the
    /// nodes' forwarded counters); absent in reports from before it was added.
    var packetsReceived: Int?
    /// meshbench's own memory over the run; absent in older reports.
    var loadGenerator: LoadGeneratorFigures?
    /// How the target was fed and the CPU per delivered packet; absent in older reports.
    var delivery: DeliveryFigures?
    /// This machine's UDP send cost measured before the run, and each node's share of it;
    /// absent in older reports and where the probe could not run.
    var sendLimit: SendLimitFigures?
    /// What the steady viewers received during a join burst; absent without one.
    var burst: BurstFigures?
    /// Viewers through TURN against direct (and coturn); absent when viewers went direct.
    var turn: TURNFigures?
    /// What recording the streams cost the recorder; absent without one.
    var recording: RecordingFigures? = nil
    /// The recording capacity search (`meshbench capacity` on a recorder), when one ran.
    var recordingCapacity: RecordingCapacityResult? = nil
}

/// The machine a run was on.
struct MachineDescription: Codable, Sendable, Equatable {
    /// Logical CPU cores.
    var cores: Int
    /// The kernel release (`uname -r`).
    var kernel: String
}

/// Viewer join outcomes.
struct ViewerCounts: Codable, Sendable, Equatable {
    /// Viewers the scenario asked for.
    var requested: Int
    /// Viewers that received media.
    var connected: Int
    /// Viewers that never did.
    var failed: Int
    /// Why they failed, with how many failed that way.
    var failureReasons: [String: Int]
}

/// Time from the WHEP POST to the first packet and to the first key frame.
struct JoinTimes: Codable, Sendable, Equatable {
    /// To the first RTP packet.
    var toFirstPacket: Percentiles
    /// To the first decodable key frame.
    var toFirstKeyframe: Percentiles
}

/// Loss over the run.
struct LossFigures: Codable, Sendable, Equatable {
    /// Packets the viewers should have received.
    var packetsExpected: Int
    /// Missing when first due.
    var lostBeforeRetransmission: Int
    /// Still missing after NACK and retransmission.
    var lostAfterRetransmission: Int
    /// `lostBeforeRetransmission` as a percentage of `packetsExpected`.
    var percentBefore: Double
    /// `lostAfterRetransmission` as a percentage of `packetsExpected`.
    var percentAfter: Double
}

/// Video freezes.
struct FreezeFigures: Codable, Sendable, Equatable {
    /// How many freezes.
    var count: Int
    /// Their total length.
    var totalSeconds: Double
    /// The longest one.
    var longestMs: Double
}

/// One node's cost over the run.
struct NodeFigures: Codable, Sendable, Equatable {
    /// The topology node id (or "node" for a `target.url` run).
    var id: String
    /// Its role.
    var role: String
    /// Its process id, when meshbench started it.
    var pid: Int?
    /// CPU time used over the run (user + system).
    var cpuSeconds: Double
    /// Mean CPU use, 100 = one core.
    var cpuPercent: Double
    /// Peak resident memory.
    var rssMbMax: Double
    /// Packets the node forwarded, from its metrics.
    var packetsForwarded: Int?
    /// CPU microseconds per forwarded packet, the mesh's unit cost.
    var cpuUsPerForwardedPacket: Double?
    /// The same from when the ramp's viewers all watched (or 2 s after the ramp) to the end:
    /// the joins' ICE and DTLS work left out; `nil` when the run never got there.
    var steadyCpuUsPerForwardedPacket: Double? = nil
    /// How often its threads slept over the same window; `nil` for nodes meshbench did not start.
    var steadySleeps: SleepFigures? = nil
    /// Its CPU with the publishers up and no viewer, and the steady cost net of it; `nil` when
    /// it was not measured.
    var baseline: BaselineFigures? = nil
    /// Samples over time.
    var samples: [NodeSample]
    /// Resident memory per viewer at the node, KB: the least-squares slope of RSS against the
    /// viewers with a session (joined, not left) over the run's samples, from the sample before
    /// the first join to the last; `nil` when the count never changed.
    var rssKbPerViewer: Double? = nil
}

/// One CPU/RSS sample of a node.
struct NodeSample: Codable, Sendable, Equatable {
    /// Seconds from the start of the run.
    var t: Double
    /// CPU use since the previous sample, 100 = one core.
    var cpuPercent: Double
    /// Resident memory.
    var rssMb: Double
    /// Viewers with a session (joined, not left) when it was taken.
    var viewers: Int? = nil
}

/// One second of the run.
struct TimelinePoint: Codable, Sendable, Equatable {
    /// Seconds from the start of the run.
    var t: Double
    /// Viewers receiving media.
    var viewersConnected: Int
    /// Packets all viewers received in that second, by their receive timestamps.
    var packetsPerSecond: Double
    /// Loss after retransmission in that second.
    var lossPercent: Double
    /// Median latency in that second.
    var latencyP50Ms: Double
    /// 99th-percentile latency in that second.
    var latencyP99Ms: Double
    /// True when a viewer worker stalled in that second: packets it read then may have
    /// arrived earlier, so its count is not that second's alone (absent otherwise).
    var late: Bool?
}
