/// What the downstream end of a relay link has seen: media in, feedback out, drops by reason.
public struct LinkReceiverStatistics: Sendable, Equatable {
    /// Media packets authenticated, decrypted and accepted.
    public var packetsReceived = 0
    /// Their bytes, after decryption.
    public var bytesReceived = 0
    /// Packets for SSRCs this end has not subscribed (authenticated, then dropped).
    public var packetsUnknownSSRC = 0
    /// Datagrams that failed SRTP/SRTCP authentication (RFC 7714 §9.3): wrong key or forged.
    public var authenticationFailures = 0
    /// Datagrams refused as replays (RFC 3711 §3.3.2): a resend that crossed its original.
    public var replaysDropped = 0
    /// Datagrams too short or malformed to be SRTP, RTP or RTCP (RFC 3550 §5.1, §6.4.1).
    public var malformed = 0
    /// Sender reports received from the upstream end: its own (keepalives) and the tracks'.
    public var senderReportsReceived = 0
    /// Of those, the tracks' (their publishers' NTP/RTP pairs) for tracks this end accepts.
    public var trackSenderReportsReceived = 0
    /// Generic NACK packets sent upstream (RFC 4585 §6.2.1).
    public var nacksSent = 0
    /// Sequence numbers asked for in them.
    public var packetsRequested = 0
    /// Key frame requests (PLI) sent upstream after merging.
    public var keyframeRequestsSent = 0
    /// Key frame requests from local viewers that the merge held back or dropped.
    public var keyframeRequestsMerged = 0
    /// Times packets were given up for lost and readers told to restart at a key frame.
    public var discontinuities = 0
    /// Receiver reports sent upstream.
    public var reportsSent = 0
    /// The largest loss fraction (RFC 3550 §6.4.1, 1/256 units) of the tracks' blocks in the
    /// last round of receiver reports: what the upstream end will read as this link's loss.
    public var fractionLostReported: UInt8 = 0

    /// All zero.
    public init() {}
}
