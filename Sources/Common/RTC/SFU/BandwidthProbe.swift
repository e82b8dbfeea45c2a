/// Finds out whether a viewer's path carries the next simulcast layer before the viewer is moved
/// to it, by padding the stream up to that layer's rate for a moment.
///
/// A receiver's REMB cannot show room it has not been offered: Chromium's receive-side estimate
/// grows from what arrives (to about 1.5 times it, and after an overuse only additively), so a
/// viewer held on a middle layer by a bottleneck that has since gone would wait tens of seconds
/// for REMB to pass the top layer. Switching up blind would instead overfill a path that still
/// cannot carry it, and a viewer whose packets are dropped from a full queue freezes until the
/// next key frame. So, like libwebrtc's and mediasoup's probers, the node sends redundant
/// packets (RTX copies of what the viewer just got, RFC 4588, which its jitter buffer drops)
/// at the difference, and watches the report blocks that come back:
///
/// - a path clean (no loss, no queue) for ``firstWait`` (a new viewer, or after a success: the
///   goal layer's rate may have risen past what was proven) or ``initialWait``, with
///   a higher layer flowing, starts a probe at that layer's rate times the selector's headroom
///   (the top layer's at first and after a success, else the next one up);
/// - a report block during the probe whose round trip sits ``queueingLimit`` over the path's
///   base, any loss of 2 % or more, or a REMB that says overuse fails it: padding stops at once,
///   and the next try waits twice as long (up to ``maximumWait``);
/// - ``duration`` of probing with at least ``cleanBlocksNeeded`` clean blocks succeeds: the rate
///   is proven and the viewer may move up.
///
/// Allocation-free; the forwarder owns one per video track.
public struct BandwidthProbe: Sendable {
    /// How long (ns) a probe pads.
    public static let duration: UInt64 = 800_000_000
    /// How long (ns) the padding takes to rise to the probe's rate: a path that carries less
    /// shows a queue when the rate passes what it carries, not a queue of the whole step.
    public static let rampTime: UInt64 = 400_000_000
    /// Clean time (ns) before a new viewer's first probe: it starts on a layer a modest path
    /// carries, and one on a good path should reach the top layer within a second or two.
    public static let firstWait: UInt64 = 300_000_000
    /// The base of the back-off after a failed probe.
    public static let initialWait: UInt64 = 1_500_000_000
    /// The longest wait (ns) between probes after failures: a bottleneck that goes is found
    /// within this and a probe's length, and a failing probe costs a queue of 40 ms or so for
    /// a moment (libwebrtc probes a capped sender every 5 s).
    public static let maximumWait: UInt64 = 2_000_000_000
    /// How long (ns) after a viewer's first packet its report blocks come every
    /// ``reportInterval`` as during a probe.
    public static let startupTime: UInt64 = 2_000_000_000
    /// How long (ns) after padding stops the queue it may have built can still show.
    static let drainTime: UInt64 = 1_000_000_000
    /// Round trip over the base (ns) that fails a probe: a queue the probe itself builds shows
    /// well before the 80 ms that ``ViewerPathMonitor`` needs to call a queue in steady state.
    public static let queueingLimit: UInt64 = 40_000_000
    /// How far into a probe (ns) a sender report must go for the round trip it measures to
    /// count: the padding has filled whatever queue it will build by then.
    public static let settleTime: UInt64 = 450_000_000
    /// How often (ns) the viewer gets a sender report while a probe runs, so that its report
    /// blocks measure the round trip during the probe (once a second otherwise).
    public static let reportInterval: UInt64 = 100_000_000
    /// Clean report blocks, measured late enough, a probe needs before it counts: one alone
    /// let probes through a bottleneck now and then (Chromium reports about once a second).
    public static let cleanBlocksNeeded = 2
    /// Most padding bytes one call may owe: a stalled loop does not burst a second of padding.
    static let maximumOwed = 16_000
    /// Padding leaves in clusters of this many packets, ``clusterSpacing`` apart. Chromium's
    /// receive-side estimator, until it has an estimate of its own (a viewer's first seconds),
    /// reads a cluster of at least five evenly spaced packets as the rate the path carries and
    /// sends a REMB at once (libwebrtc's `RemoteBitrateEstimatorAbsSendTime` probe detection);
    /// padding trickled between media packets forms no cluster. A cluster that a bottleneck
    /// spreads out is read as a failed probe, so the REMB says nothing it cannot carry.
    public static let clusterPackets = 6
    /// The spacing (ns) of a cluster's packets: at least the millisecond the receiver measures
    /// in, and short enough that media packets between them keep the cluster's spacing within
    /// the 2.5 ms the receiver allows (4.8 Mbit/s of 1200-byte packets).
    public static let clusterSpacing: UInt64 = 2_000_000
    /// Bytes owed before a cluster starts.
    static let clusterBytes = clusterPackets * 1_000
    private var clusterLeft = 0
    private var lastPacket: UInt64 = 0

    /// A probe under way.
    public struct Attempt: Sendable, Equatable {
        /// When it started (monotonic ns).
        public var start: UInt64
        /// The total rate it proves (bits per second).
        public var rate: UInt64
        /// Clean report blocks seen since it started.
        public var cleanBlocks: Int
    }

    /// The probe under way, if any.
    public private(set) var attempt: Attempt?
    /// Since when the path has been clean; `nil` until a clean block after congestion.
    private var cleanSince: UInt64?
    /// The wait before the next probe (doubles after each failure).
    public private(set) var wait: UInt64 = BandwidthProbe.firstWait
    private var owedBytes = 0
    /// When the probe under way last owed padding, or when the last one started or ended.
    private var lastActive: UInt64 = 0

    /// Whether the next probe may aim for the top layer: at first and after a success; after
    /// congestion (a failed probe, or a viewer that came down), one layer up at a time.
    public private(set) var aimsForTop = true
    /// Probes that proved their rate.
    public private(set) var succeeded = 0
    /// Probes that failed.
    public private(set) var failed = 0

    /// A probe with nothing seen yet.
    public init() {}

    /// Congestion seen at `now` (loss, a queue, an overuse REMB): a probe under way fails.
    public mutating func congestion(now: UInt64) {
        cleanSince = nil
        aimsForTop = false
        guard attempt != nil else { return }
        attempt = nil
        lastActive = now
        failed += 1
        wait = min(max(wait, Self.initialWait) * 2, Self.maximumWait)
    }

    /// A clean report block at `now` whose round trip, measured with a sender report sent at
    /// `measuredAt`, showed `queueing` ns over the path's base (`nil` when it echoed no sender
    /// report). Returns the proven rate when this block completes a probe. Only blocks whose
    /// report went ``settleTime`` into the probe count for it: earlier ones show the path
    /// before the padding reached it.
    public mutating func cleanReport(queueing: UInt64?, measuredAt: UInt64, now: UInt64) -> UInt64? {
        if let queueing, queueing > Self.queueingLimit, attempt != nil {
            congestion(now: now)
            return nil
        }
        if cleanSince == nil { cleanSince = now }
        guard var current = attempt else { return nil }
        guard queueing != nil, measuredAt >= current.start &+ Self.settleTime else { return nil }
        current.cleanBlocks += 1
        attempt = current
        guard now &- current.start >= Self.duration, current.cleanBlocks >= Self.cleanBlocksNeeded else { return nil }
        attempt = nil
        lastActive = now
        succeeded += 1
        aimsForTop = true
        wait = Self.firstWait
        cleanSince = now
        return current.rate
    }

    /// Starts a probe at `rate` (bits per second) when the path has been clean long enough
    /// and none is under way; returns whether one is under way now.
    @discardableResult
    public mutating func startIfDue(rate: UInt64, now: UInt64) -> Bool {
        if attempt != nil { return true }
        guard let clean = cleanSince, now &- clean >= wait else { return false }
        attempt = Attempt(start: now, rate: rate, cleanBlocks: 0)
        owedBytes = 0
        clusterLeft = 0
        lastActive = now
        return true
    }

    /// How far over what the goal layer needs (with the selector's headroom) a probe goes: the
    /// layer's measured rate rises while an encoder ramps up (Chromium's top layer for many
    /// seconds after it starts), and a proven rate just short of it would move no one. More
    /// (1.25 was tried) deepens the queue a probe that fails behind a bottleneck leaves.
    static let margin = 1.1

    /// Starts a probe when one is due for a viewer on layer `current` of `selector`'s layers:
    /// toward the top layer after a success, else the next one up, unless the `estimate` already
    /// allows that layer or the `cap` forbids it. Returns whether one is under way now.
    public mutating func startIfDue(
        above current: Int, of selector: SimulcastLayerSelector, estimate: UInt64?, cap: UInt64?, now: UInt64
    ) -> Bool {
        guard let next = selector.nextFlowing(above: current) else { return false }
        let goal = aimsForTop ? selector.highestFlowing() ?? next : next
        let rate = UInt64(Double(selector.bitrate(layer: goal)) * selector.upgradeHeadroom * Self.margin)
        if let estimate, estimate >= rate { return false }
        if let cap, cap < rate { return false }
        return startIfDue(rate: rate, now: now)
    }

    /// Whether the viewer should get a sender report now: every ``reportInterval`` while a probe
    /// runs and for ``drainTime`` after it ends (a failed probe's queue must be seen to drain,
    /// or the clean time before the next try starts up to a second late), and for
    /// ``startupTime`` after its `firstForward` packet (the layer it starts on fits an assumed
    /// estimate, and a queue it builds must show within a few hundred ms).
    public func wantsSenderReport(firstForward: UInt64?, lastReport: UInt64, now: UInt64) -> Bool {
        let starting = firstForward.map { now &- $0 < Self.startupTime } ?? false
        return (paddedRecently(now: now) || starting) && now &- lastReport >= Self.reportInterval
    }

    /// Stops a probe without a verdict (the viewer moved, a cap came, the layer went away).
    public mutating func cancel() {
        attempt = nil
    }

    /// Whether padding is due at `now`: a probe is under way and its time is not up (its
    /// verdict may still wait for a report block).
    public func isPadding(now: UInt64) -> Bool {
        attempt.map { now &- $0.start < Self.duration } ?? false
    }

    /// Padding bytes owed at `now` while the stream carries `mediaRate` bits per second; the
    /// caller sends a packet when this is over 0 and reports it with ``paid(_:now:)``, a
    /// packet's excess over what was owed credited against the next. `clustered` (while the
    /// receiver has sent no REMB, so may still read a cluster as its first estimate), the padding
    /// leaves in clusters (``clusterPackets``): a cluster starts once it is owed and goes one
    /// packet per ``clusterSpacing``. Otherwise a packet goes whenever one is owed: a cluster's
    /// burst would only deepen the queue a failing probe builds behind a bottleneck. 0 when no
    /// probe is under way, its time is up, or no packet is due.
    public mutating func owed(mediaRate: UInt64, now: UInt64, clustered: Bool = true) -> Int {
        guard let current = attempt, now &- current.start < Self.duration, current.rate > mediaRate else {
            owedBytes = 0
            return 0
        }
        let elapsed = now &- lastActive
        lastActive = now
        let ramp = min(1, Double(now &- current.start) / Double(Self.rampTime))
        let bytes = Int(Double(current.rate - mediaRate) * ramp / 8 * Double(elapsed) / 1_000_000_000)
        owedBytes = min(owedBytes + bytes, Self.maximumOwed)
        guard clustered else { return max(owedBytes, 0) }
        if clusterLeft == 0 {
            guard owedBytes >= Self.clusterBytes else { return 0 }
            clusterLeft = Self.clusterPackets
        }
        guard owedBytes > 0 else {
            clusterLeft = 0
            return 0
        }
        return now &- lastPacket >= Self.clusterSpacing ? owedBytes : 0
    }

    /// Whether a probe ran within ``drainTime`` of `now` (or one is under way).
    public func paddedRecently(now: UInt64) -> Bool {
        attempt != nil || (lastActive != 0 && now &- lastActive < Self.drainTime)
    }

    /// `bytes` of padding went out at `now`.
    public mutating func paid(_ bytes: Int, now: UInt64) {
        owedBytes = max(-Self.maximumOwed, owedBytes - bytes)
        clusterLeft = max(0, clusterLeft - 1)
        lastPacket = now
    }
}
