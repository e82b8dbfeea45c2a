/// A viewer's available bandwidth, from what its receiver tells us: REMB
/// (draft-alvestrand-rmcat-remb §2) as a ceiling, the loss fraction of its receiver reports
/// (RFC 3550 §6.4.1) in the manner of GCC's loss-based controller
/// (draft-ietf-rmcat-gcc-02 §6: cut on more than 10 % loss, grow slowly under 2 %), and an
/// optional cap with an expiry time (set from a WHEP query parameter; tests lift it).
///
/// Two departures from GCC, because an SFU switches layers instead of tuning an encoder: a cut
/// starts from the rate the viewer was actually sent (the layer it had), not from an estimate
/// that reports of the old layer's loss already pushed down, so a bottleneck lands the viewer on
/// the layer that fits rather than spiralling to the lowest; and once reports have been clean
/// for `lossMemory`, the loss-based limit is dropped and REMB, the receiver's delay-based
/// estimate, rules again, so a viewer whose bottleneck went away climbs in seconds.
public struct ViewerBandwidthEstimator: Sendable {
    /// Tunables.
    public struct Configuration: Sendable {
        /// The estimate assumed before the viewer has reported anything, and the base for loss
        /// reports that arrive before any REMB (bits per second): a new viewer starts on the
        /// highest layer that fits it (the topology's `policies.viewer_start_bitrate`).
        public var initialBitrate: UInt64
        /// The lowest estimate given.
        public var minimumBitrate: UInt64
        /// The highest estimate given.
        public var maximumBitrate: UInt64
        /// Growth per receiver report under 2 % loss (1.05: +5 %).
        public var growthFactor: Double
        /// Least time (ns) between two growth steps.
        public var growthInterval: UInt64
        /// How long (ns) reports must stay under 2 % loss before the loss-based limit is
        /// dropped (with REMB present).
        public var lossMemory: UInt64 = 2_000_000_000

        /// The start when the topology names none: what a modest path carries (mediasoup's
        /// default initial outgoing bitrate), so a viewer behind a slow link is not buried under
        /// a layer its queue drops; a probe (``BandwidthProbe``) moves a viewer on a good path
        /// to the top layer within about 1.5 s.
        public static let defaultInitialBitrate: UInt64 = 600_000

        /// The defaults: 600 kbit/s initial, 50 kbit/s to 50 Mbit/s, +5 % at most every 500 ms.
        public init(
            initialBitrate: UInt64 = Configuration.defaultInitialBitrate, minimumBitrate: UInt64 = 50_000,
            maximumBitrate: UInt64 = 50_000_000,
            growthFactor: Double = 1.05, growthInterval: UInt64 = 500_000_000
        ) {
            self.initialBitrate = initialBitrate
            self.minimumBitrate = minimumBitrate
            self.maximumBitrate = maximumBitrate
            self.growthFactor = growthFactor
            self.growthInterval = growthInterval
        }
    }

    /// The tunables in use.
    public let configuration: Configuration
    /// The last REMB bitrate.
    public private(set) var rembBitrate: UInt64?
    /// The loss-based limit, once a receiver report has arrived.
    public private(set) var lossBasedBitrate: UInt64?
    /// Whether the loss-based limit comes from a cut (over 10 % loss) rather than from growth
    /// from the start: only a cut holds a REMB above it back for `lossMemory`.
    private var lossCut = false
    private var lastGrowth: UInt64?
    /// The rate sent over the last second, from the forwarder.
    public private(set) var sendRate: UInt64?
    /// Since when reports have shown under 2 % loss.
    private var cleanSince: UInt64?
    /// The delay-based limit: set to 85 % of what the viewer received when a queue builds on
    /// its path (GCC's overuse response, draft-ietf-rmcat-gcc-02 §5.5, with the round trip of
    /// receiver reports in place of one-way delay), grown back once the path has been calm.
    public private(set) var delayBasedBitrate: UInt64?
    private var lastDelayChange: UInt64?
    /// The queueing that caused the last delay-based cut.
    private var queueingAtCut: UInt64 = 0
    /// How long (ns) after a delay-based cut a queue no larger than the one that caused it is
    /// taken for one still draining.
    static let drainAllowance: UInt64 = 3_000_000_000
    private var calmSince: UInt64?
    private var cap: (bitrate: UInt64, expiry: UInt64)?
    /// The rate a probe showed the path carries (``proved(bitrate:)``).
    public private(set) var probedBitrate: UInt64?

    /// An estimator with `configuration`.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// A REMB arrived. Returns whether it says the path is overused: it fell by a tenth or more
    /// at once (libwebrtc cuts its estimate to 85 % of what arrives on overuse; otherwise it
    /// moves by a few per cent) to below what this track alone was sent. A proven rate is
    /// forgotten then.
    ///
    /// Without a loss cut in force, the loss-based growth from the start estimate gives way to
    /// the REMB at once: the first REMB of a Chromium viewer is its read of a probe cluster
    /// (``BandwidthProbe``) or of five seconds of media, and it is what the path carries.
    @discardableResult
    public mutating func receivedREMB(bitrate: UInt64) -> Bool {
        defer { rembBitrate = bitrate }
        if !lossCut { lossBasedBitrate = nil }
        guard let previous = rembBitrate, let sendRate, Double(bitrate) < Double(previous) * 0.9,
            bitrate < sendRate
        else { return false }
        probedBitrate = nil
        return true
    }

    /// A probe (``BandwidthProbe``) showed the path carries `bitrate`: it stands above REMB,
    /// which cannot show room it was not offered, until loss, a queue or an overuse REMB.
    public mutating func proved(bitrate: UInt64) {
        probedBitrate = max(probedBitrate ?? 0, bitrate)
        if let loss = lossBasedBitrate, loss < bitrate {
            lossBasedBitrate = nil
            lossCut = false
        }
        if let delay = delayBasedBitrate, delay < bitrate { delayBasedBitrate = nil }
    }

    /// What was sent to the viewer over the last second (bits per second).
    public mutating func recordSendRate(_ bitsPerSecond: UInt64) {
        sendRate = bitsPerSecond
    }

    /// A receiver report block arrived with `fractionLost` (1/256 units) at `now`; the viewer
    /// received `receivedRate` bits per second lately (``ViewerPathMonitor``), when known.
    ///
    /// A cut never goes below 85 % of what got through: losses from a full queue are what
    /// the path carries plus what overflowed, and reports keep counting a queue's overflow for
    /// a round trip after the viewer moved to a layer that fits.
    public mutating func receivedLossReport(fractionLost: UInt8, receivedRate: UInt64? = nil, now: UInt64) {
        let base = lossBasedBitrate ?? rembBitrate ?? configuration.initialBitrate
        let loss = Double(fractionLost) / 256
        if loss >= 0.02 { cleanSince = nil }
        if loss > 0.10 {
            // GCC: As = As * (1 - 0.5 p), As being what was sent. From the send rate, not from
            // the last cut: the blocks come four times a second and each covers only its own
            // interval, so cutting from the cut would spiral to the floor within a second.
            probedBitrate = nil
            let sent = sendRate ?? base
            let floor = receivedRate.map { Double($0) * 0.85 } ?? 0
            lossBasedBitrate = clamp(max(Double(sent) * (1 - 0.5 * loss), floor))
            lossCut = true
        } else if loss < 0.02 {
            let clean = cleanSince ?? now
            cleanSince = clean
            // A proven rate on a clean path needs no loss limit under it (before the receiver's
            // first REMB, the growth below would otherwise hold the viewer near the start).
            if let probed = probedBitrate, (lossBasedBitrate ?? 0) <= probed {
                lossBasedBitrate = nil
                lossCut = false
                return
            }
            // With REMB present and no loss cut (or none for a while), REMB alone rules.
            if rembBitrate != nil, !lossCut || now &- clean >= configuration.lossMemory {
                lossBasedBitrate = nil
                lossCut = false
                return
            }
            if let lastGrowth, now &- lastGrowth < configuration.growthInterval {
                lossBasedBitrate = base
                return
            }
            lastGrowth = now
            // Growth stops a little above REMB: REMB stays the ceiling anyway.
            var grown = Double(base) * configuration.growthFactor
            if let remb = rembBitrate { grown = min(grown, Double(remb) * 1.5) }
            lossBasedBitrate = clamp(max(grown, Double(base)))
        } else {
            lossBasedBitrate = base
        }
    }

    /// A report block showed `queueing` ns of round trip over the path's base
    /// (``ViewerPathMonitor``) while the viewer received `receivedRate` bits per second.
    ///
    /// Over the threshold, the limit drops to 85 % of what got through, at most once a second
    /// (the queue needs time to drain before the next block can show the cut worked). Calm for
    /// `lossMemory`, it grows by `growthFactor` per `growthInterval`, and goes once it passes
    /// REMB, which is then the ceiling again.
    public mutating func receivedQueueing(_ queueing: UInt64, receivedRate: UInt64?, now: UInt64) {
        let changedRecently = lastDelayChange.map { now &- $0 < configuration.growthInterval * 2 } ?? false
        if queueing > ViewerPathMonitor.queueingThreshold {
            calmSince = nil
            probedBitrate = nil
            guard !changedRecently || delayBasedBitrate == nil else { return }
            // After a cut the queue needs seconds to drain through a slow link (0.6 s of queue
            // at 600 kbit/s, with the new layer taking most of it): only a queue that grew
            // since the cut says the cut was not enough.
            if delayBasedBitrate != nil, let lastDelayChange, now &- lastDelayChange < Self.drainAllowance,
                queueing < queueingAtCut &+ ViewerPathMonitor.queueingThreshold
            {
                return
            }
            queueingAtCut = queueing
            let reference = receivedRate ?? sendRate ?? estimate(now: now) ?? configuration.initialBitrate
            var limit = Double(reference) * 0.85
            // A REMB under what was sent is the receiver's own overuse verdict, 85 % of what it
            // measured arriving (libwebrtc's AIMD), over a window our report blocks cannot match:
            // in a viewer's first second the rate between two blocks still counts the time
            // before the queue filled, and would cut to the lowest layer.
            if let remb = rembBitrate, let sendRate, remb < sendRate { limit = max(limit, Double(remb)) }
            delayBasedBitrate = min(delayBasedBitrate ?? .max, clamp(limit))
            lastDelayChange = now
            return
        }
        let calm = calmSince ?? now
        calmSince = calm
        guard let limit = delayBasedBitrate, now &- calm >= configuration.lossMemory,
            !(lastDelayChange.map { now &- $0 < configuration.growthInterval } ?? false)
        else { return }
        let grown = clamp(Double(limit) * max(configuration.growthFactor, 1.15))
        lastDelayChange = now
        if let remb = rembBitrate, grown >= remb { delayBasedBitrate = nil } else { delayBasedBitrate = grown }
        if grown >= configuration.maximumBitrate { delayBasedBitrate = nil }
    }

    /// Caps the estimate at `bitrate` until `expiry` (monotonic ns).
    public mutating func setCap(bitrate: UInt64, until expiry: UInt64) {
        cap = (bitrate, expiry)
    }

    /// Removes the cap.
    public mutating func liftCap() {
        cap = nil
    }

    /// The estimate at `now` (bits per second): the least of REMB (or the proven rate, where a
    /// probe showed more), the loss- and delay-based limits and an unexpired cap; `nil` until
    /// one of the first three exists.
    public func estimate(now: UInt64) -> UInt64? {
        var value: UInt64?
        if let remb = rembBitrate {
            value = max(remb, probedBitrate ?? 0)
        } else if let probed = probedBitrate {
            value = probed
        }
        if let loss = lossBasedBitrate { value = min(value ?? .max, loss) }
        if let delay = delayBasedBitrate { value = min(value ?? .max, delay) }
        guard var result = value else { return nil }
        if let cap = cap(now: now) { result = min(result, cap) }
        return min(max(result, configuration.minimumBitrate), configuration.maximumBitrate)
    }

    /// The cap at `now`, if one is set and unexpired.
    public func cap(now: UInt64) -> UInt64? {
        guard let cap, now < cap.expiry else { return nil }
        return cap.bitrate
    }

    /// What to assume at `now` before any report: the initial bitrate under an unexpired cap.
    public func startingEstimate(now: UInt64) -> UInt64 {
        min(configuration.initialBitrate, cap(now: now) ?? .max)
    }

    private func clamp(_ value: Double) -> UInt64 {
        let bounded = min(max(value, Double(configuration.minimumBitrate)), Double(configuration.maximumBitrate))
        return UInt64(bounded)
    }
}
