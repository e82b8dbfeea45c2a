/// `/health/live`: whether the process and each of its media loops still turn. A loop runs a
/// tick every 20 ms (30 at most; once a second with no session or link end on it); one that
/// has not for ``stallLimitSeconds`` is stuck (a blocking call, a livelock) and the node should
/// be restarted, while a node that is merely busy or draining stays live.
public struct NodeLiveness: Sendable, Equatable, Codable {
    /// One media loop's last turn.
    public struct Worker: Sendable, Equatable, Codable {
        /// The worker's index.
        public var worker: Int
        /// Seconds since its loop last ran its tick.
        public var sinceTurnSeconds: Double

        /// A worker's entry from its values.
        public init(worker: Int, sinceTurnSeconds: Double) {
            self.worker = worker
            self.sinceTurnSeconds = sinceTurnSeconds
        }
    }

    /// How long a loop may go without a tick before the node is not live: over 150 ticks (5 on
    /// an idle worker), far beyond a loaded machine's scheduling delays (those are tens of
    /// milliseconds), short enough that an orchestrator probing every few seconds restarts a
    /// stuck node within ten.
    public static let stallLimitSeconds = 5.0

    /// Every media loop, by index.
    public var workers: [Worker]

    /// A report from its workers.
    public init(workers: [Worker]) {
        self.workers = workers
    }

    /// True when every loop turned within ``stallLimitSeconds``.
    public var isLive: Bool {
        workers.allSatisfy { $0.sinceTurnSeconds < Self.stallLimitSeconds }
    }

    /// The loops that have not turned within the limit.
    public var stalled: [Worker] {
        workers.filter { $0.sinceTurnSeconds >= Self.stallLimitSeconds }
    }
}
