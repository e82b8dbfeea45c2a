/// What the upstream end of a relay link has seen: media out, feedback in, link quality.
public struct LinkSenderStatistics: Sendable, Equatable {
    /// Media packets protected for the link (first transmissions).
    public var packetsSent = 0
    /// Their bytes, SRTP trailer included.
    public var bytesSent = 0
    /// Packets offered whose SSRC is not subscribed on this link (not sent).
    public var packetsNotSubscribed = 0
    /// Packets that could not be protected (too short, no room, or an SRTP failure).
    public var protectFailures = 0
    /// Generic NACKs received (RFC 4585 §6.2.1).
    public var nacksReceived = 0
    /// Packets resent in answer to NACKs.
    public var packetsResent = 0
    /// NACKed packets the history no longer held (or never held): counted, not answered.
    public var nackedPacketsMissing = 0
    /// PLI (RFC 4585 §6.3.1) and FIR (RFC 5104 §4.3.1) requests for subscribed tracks.
    public var keyframeRequestsReceived = 0
    /// Receiver reports received (RFC 3550 §6.4.2).
    public var reportsReceived = 0
    /// Sender reports sent (each doubles as keepalive).
    public var senderReportsSent = 0
    /// Tracks' sender reports sent after them: their publishers' NTP/RTP pairs.
    public var trackSenderReportsSent = 0
    /// Feedback datagrams that failed SRTCP authentication (RFC 7714 §9.3): wrong key or forged.
    public var authenticationFailures = 0
    /// Feedback datagrams refused as replays (RFC 3711 §3.3.2).
    public var replaysDropped = 0
    /// Feedback that authenticated but did not parse as RTCP (RFC 3550 §6.4.1 rules).
    public var malformedFeedback = 0
    /// The last round-trip time measured from a receiver report (ns, RFC 3550 §6.4.1).
    public var roundTripTime: UInt64?
    /// The largest loss fraction (RFC 3550 §6.4.1, 1/256 units) any track reported last.
    public var fractionLost: UInt8 = 0
    /// The sum of the tracks' cumulative loss in the last report.
    public var cumulativeLost: Int64 = 0

    /// All zero.
    public init() {}
}
