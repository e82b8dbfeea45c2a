import MeshWire

/// The publisher's NTP ↔ RTP mapping for one source layer, from its last sender report
/// (RFC 3550 §6.4.1), and the sender reports built from it for viewers.
///
/// A viewer's stream carries timestamps shifted by the rewriter's offset, so its SR must map
/// the same NTP instant to the shifted RTP time; then the viewer lines audio and video up just
/// as the publisher meant (RFC 3550 §6.4.1: "the same time as the NTP timestamp").
///
/// Relays and edges hold the same mapping: the upstream end of a relay link passes the pair on
/// unchanged (``LinkSender``), and packets keep the publisher's RTP timestamps on every hop.
public struct SenderReportClock: Sendable {
    /// One NTP ↔ RTP pair: the same instant on the publisher's wall clock and its media clock
    /// (RFC 3550 §6.4.1), as its sender report stated it.
    public struct Mapping: Sendable, Equatable {
        /// The NTP timestamp (RFC 3550 §4: 32.32 fixed-point seconds since 1900).
        public var ntpTimestamp: UInt64
        /// The RTP timestamp of the same instant.
        public var rtpTimestamp: UInt32

        /// A pair.
        public init(ntpTimestamp: UInt64, rtpTimestamp: UInt32) {
            self.ntpTimestamp = ntpTimestamp
            self.rtpTimestamp = rtpTimestamp
        }
    }

    /// The layer's media clock rate (Hz).
    public let clockRate: UInt32
    /// The NTP timestamp of the publisher's last SR.
    public private(set) var ntpTimestamp: UInt64?
    /// The RTP timestamp of the publisher's last SR.
    public private(set) var rtpTimestamp: UInt32 = 0

    /// A clock for a layer at `clockRate` Hz, with no report yet.
    public init(clockRate: UInt32) {
        self.clockRate = clockRate
    }

    /// The pair held, `nil` before the first report (or after ``reset()``).
    public var mapping: Mapping? {
        ntpTimestamp.map { Mapping(ntpTimestamp: $0, rtpTimestamp: rtpTimestamp) }
    }

    /// Records the publisher's SR for this layer.
    public mutating func receivedSenderReport(ntpTimestamp: UInt64, rtpTimestamp: UInt32) {
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
    }

    /// Records a pair relayed over a link, but only when it is newer than the one held (by NTP
    /// time): a pair that arrives late (another link still sending the layer, a relay that has
    /// not heard of a newer report yet) must not replace a newer one. Returns whether it was taken.
    @discardableResult
    ///
    /// An older pair that does not lie on the held pair's line (more than a second of media
    /// clock away from it) is a new source, and taken: a publisher that reconnected with a clock
    /// behind the old one, whose packets the link numbered on without a break to reset on.
    public mutating func receivedRelayedSenderReport(_ mapping: Mapping) -> Bool {
        // A signed difference: NTP time only moves forward, and wraps in 2036.
        if let held = ntpTimestamp, Int64(bitPattern: mapping.ntpTimestamp &- held) <= 0 {
            guard let expected = sourceTimestamp(atNTP: mapping.ntpTimestamp) else { return false }
            let drift = Int32(bitPattern: mapping.rtpTimestamp &- expected).magnitude
            guard drift > clockRate else { return false }
        }
        receivedSenderReport(ntpTimestamp: mapping.ntpTimestamp, rtpTimestamp: mapping.rtpTimestamp)
        return true
    }

    /// Forgets the pair: the layer's source changed (a publisher reconnect behind a relay link,
    /// or the feed moved to another link), so the next pair is taken whatever its NTP time, and
    /// until it comes no report is built from a pair that may belong to the old source.
    public mutating func reset() {
        ntpTimestamp = nil
        rtpTimestamp = 0
    }

    /// The publisher's RTP time at NTP time `ntp`, extrapolated from its last SR; `nil` before one
    /// or when `ntp` is more than a day away from it.
    public func sourceTimestamp(atNTP ntp: UInt64) -> UInt32? {
        guard let reference = ntpTimestamp else { return nil }
        // NTP is 32.32 fixed-point seconds; a signed difference keeps a slightly stale `ntp` right.
        let difference = Int64(bitPattern: ntp &- reference)
        guard difference.magnitude < UInt64(86_400) << 32 else { return nil }
        let (product, overflow) = difference.multipliedReportingOverflow(by: Int64(clockRate))
        guard !overflow else { return nil }
        let ticks = product >> 32
        return rtpTimestamp &+ UInt32(truncatingIfNeeded: ticks)
    }

    /// A viewer's SR at NTP time `ntpNow`: its `ssrc`, the RTP time shifted by `timestampOffset`
    /// (outgoing − source, from ``OutgoingStreamRewriter/timestampOffset``), and the counts of
    /// what the viewer was sent. `nil` before the publisher's first SR.
    public func senderReport(
        ssrc: UInt32, ntpNow: UInt64, timestampOffset: UInt32, packetCount: UInt32, octetCount: UInt32
    ) -> SenderReport? {
        guard let source = sourceTimestamp(atNTP: ntpNow) else { return nil }
        return SenderReport(
            ssrc: ssrc, ntpTimestamp: ntpNow, rtpTimestamp: source &+ timestampOffset, packetCount: packetCount,
            octetCount: octetCount)
    }
}
