/// One benchmark run described in a scenario file (`bench/scenarios/*.yaml`): what to load,
/// with how many publishers and viewers, for how long, which faults to inject, and what
/// counts as passing in a capacity search.
struct Scenario: Sendable, Equatable {
    /// The scenario's name, used in reports.
    var name: String
    /// Free text for people reading the file or the report.
    var description: String?
    /// The node or mesh under load.
    var target: ScenarioTarget
    /// How long the measured run lasts.
    var durationSeconds: Int
    /// The publishers meshbench runs.
    var publishers: PublisherPlan
    /// The viewers meshbench runs.
    var viewers: ViewerPlan
    /// Viewers joining and leaving during the run.
    var churn: ChurnPlan
    /// Many viewers joining at once while the others watch; `nil`: none.
    var burst: BurstPlan? = nil
    /// Faults injected at set times, in file order.
    var faults: [ScheduledFault]
    /// The pass criteria of a capacity search trial.
    var limits: PassCriteria
    /// How a capacity search steps its viewer count.
    var capacity: CapacityPlan
}

/// What meshbench runs against.
struct ScenarioTarget: Sendable, Equatable {
    /// Where the nodes come from.
    enum Source: Sendable, Equatable {
        /// A topology file whose nodes meshbench starts itself (`meshcast node`).
        case topology(path: String)
        /// An already running node or mesh, reached at this base URL.
        case url(String)
    }

    /// Where the nodes come from.
    var source: Source
    /// The node ids whose CPU and memory are sampled; `nil` means every node started.
    var underTest: [String]?
}

/// Where a publisher or viewer enters the mesh.
enum EntryPoint: Sendable, Equatable {
    /// Asks the mesh's placement which node to use.
    case placement
    /// Goes straight to the named node.
    case node(String)
}

/// The publishers of a run.
struct PublisherPlan: Sendable, Equatable {
    /// How many publishers run, each on its own stream.
    var count: Int = 1
    /// Where they publish.
    var enter: EntryPoint = .placement
    /// The stream name pattern; `{n}` is replaced by the publisher's index.
    var stream: String = "bench-{n}"
    /// The video each publisher sends.
    var video: VideoPlan = VideoPlan()
    /// The audio each publisher sends; `nil` for `audio: none`.
    var audio: AudioPlan? = AudioPlan()

    /// The stream name of publisher `index` (from 0).
    func streamName(_ index: Int) -> String {
        stream.replacingOccurrences(of: "{n}", with: String(index))
    }
}

/// The video a publisher sends.
struct VideoPlan: Sendable, Equatable {
    /// The codec; only VP8 is built.
    var codec: String = "vp8"
    /// The target bitrate, which picks the clip layer(s).
    var bitrateKbps: Int = 1500
    /// Whether the publisher sends several layers.
    var simulcast: Bool = false
}

/// The audio a publisher sends.
struct AudioPlan: Sendable, Equatable {
    /// The codec; only Opus is built.
    var codec: String = "opus"
}

/// How viewer streams are assigned when there are several publishers.
enum StreamAssignment: String, Sendable, Equatable, CaseIterable {
    /// Viewer `i` watches publisher `i mod count`.
    case roundRobin = "round_robin"
    /// Every viewer watches the first publisher.
    case first
}

/// The viewers of a run.
struct ViewerPlan: Sendable, Equatable {
    /// How many viewers join.
    var count: Int = 0
    /// Where they enter.
    var enter: EntryPoint = .placement
    /// Regions the viewers are spread over (`region` query parameter); empty means none named.
    var regions: [String] = []
    /// Joins per second while ramping up.
    var rampPerSecond: Int = 50
    /// Which publisher each viewer watches.
    var streams: StreamAssignment = .roundRobin
    /// Viewers join through the entry node's TURN listener (its `Link` headers), or not at all.
    var turn: TURNPlan? = nil
}

/// `viewers.turn`: how viewers reach the node through TURN (`true` is `{transport: udp}`).
struct TURNPlan: Sendable, Equatable {
    /// UDP or TCP to the TURN server (ChannelData either way).
    var transport: TURNServerLink.Transport = .udp
    /// Also run the same viewers direct, first, on the same mesh: the report's `turn` gives the
    /// node's CPU per forwarded packet both ways and their ratio.
    var directBaseline: Bool = true
}

/// A join burst (issue 12, item 5): once the steady viewers have watched for
/// `steadySeconds`, `count` more join at `perSecond`; the steady viewers' packet rate in each
/// second of the burst must stay at least `minimumRatePercent` of what it was before, and
/// their latency p99 under `latencyP99Ms`, or the run fails.
struct BurstPlan: Sendable, Equatable {
    /// Viewers that join in the burst.
    var count: Int = 250
    /// How fast they join.
    var perSecond: Int = 250
    /// Seconds the steady viewers watch (their rate measured) before the burst.
    var steadySeconds: Int = 10
    /// The lowest share of the steady packet rate any second of the burst may deliver.
    var minimumRatePercent: Double = 90
    /// The steady viewers' latency p99 allowed during the burst.
    var latencyP99Ms: Double = 100

    /// Seconds from the last initial viewer to the end of the burst's window: settling,
    /// steady, joining and the seconds after (``JoinBurst``).
    var seconds: Double {
        JoinBurst.settleSeconds + Double(steadySeconds) + (Double(count) / Double(max(1, perSecond))).rounded(.up)
            + JoinBurst.trailingSeconds
    }
}

/// Viewers joining and leaving during the run, on top of the steady count.
struct ChurnPlan: Sendable, Equatable {
    /// New viewers per second.
    var joinsPerSecond: Double = 0
    /// Viewers leaving per second.
    var leavesPerSecond: Double = 0
}

/// A fault and the second of the run it happens at.
struct ScheduledFault: Sendable, Equatable {
    /// Seconds from the start of the run.
    var atSeconds: Double
    /// What happens.
    var action: FaultAction
}

/// The faults meshbench can inject.
enum FaultAction: Sendable, Equatable {
    /// SIGKILL a node meshbench started.
    case kill(node: String)
    /// SIGSTOP a node for a while, then SIGCONT.
    case stop(node: String, forSeconds: Double)
    /// Drop a share (0…1) of the packets on a relay link.
    case dropLink(from: String, to: String, rate: Double)
    /// Delay the publishers' leg through meshbench's own proxy.
    case delayPublishers(milliseconds: Int)
    /// Stop Redis for a while.
    case stopRedis(forSeconds: Double)
}

/// What a capacity-search trial must stay within to pass.
struct PassCriteria: Sendable, Equatable, Codable {
    /// Highest loss after retransmission, in percent.
    var lossAfterRetransmissionPercent: Double = 1.0
    /// Highest 99th-percentile latency, in milliseconds.
    var latencyP99Ms: Double = 400
}

/// How a capacity search steps the viewer count.
struct CapacityPlan: Sendable, Equatable {
    /// Viewers in the first trial.
    var start: Int = 50
    /// Viewers added per trial.
    var step: Int = 50
    /// The largest count tried.
    var max: Int = 5000
    /// How long each trial lasts.
    var trialSeconds: Int = 20
}
