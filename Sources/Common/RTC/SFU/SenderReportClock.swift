import MeshWire

/// The publisher's NTP ↔ RTP mapping for one source layer, from its last sender report
/// (RFC 3550 §6.4.1), and the sender reports built from it for viewers.
///
/// A viewer's stream carries timestamps shifted by the rewriter's offset, so its SR must map
/// the same NTP instant to the shifted RTP time; then the viewer lines audio and video up just
/// as the publisher meant (RFC 3550 §6.4.1: "the same time as the NTP timestamp").
public struct SenderReportClock: Sendable {
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

    /// Records the publisher's SR for this layer.
    public mutating func receivedSenderReport(ntpTimestamp: UInt64, rtpTimestamp: UInt32) {
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
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
