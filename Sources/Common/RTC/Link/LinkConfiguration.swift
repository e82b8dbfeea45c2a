/// Timers and sizes both ends of a relay link use (DESIGN.md "Relay links").
public struct LinkConfiguration: Sendable {
    /// The upstream end sends a keepalive when it has sent nothing for this long (ns).
    public var keepaliveInterval: UInt64
    /// Each end reports at this interval (ns): sender reports upstream → down, receiver reports
    /// downstream → up.
    public var reportInterval: UInt64
    /// An end that has heard nothing authenticated for this long (ns) calls the link down.
    public var livenessTimeout: UInt64
    /// A sending end that has heard no feedback for this long (ns) reports the downstream node
    /// as possibly gone, once per silence (``LinkSender/downstreamFellQuiet(now:since:)``),
    /// and keeps the link until ``livenessTimeout``.
    public var quietTimeout: UInt64
    /// SRTP replay window (packets) on both ends. It must cover the retransmission buffers: a
    /// resend older than the window is refused by libsrtp on the sending side (`replay_old`).
    public var replayWindow: Int
    /// The round-trip time (ns) the downstream end assumes for NACK retries until told better
    /// (``LinkReceiver/roundTripTime``).
    public var initialRoundTripTime: UInt64
    /// Least time (ns) between two key frame requests for one track sent upstream.
    public var keyframeRequestInterval: UInt64
    /// The downstream end's loss tracking per track.
    public var nack: NACKRequester.Configuration
    /// The most SSRCs the media direction's SRTP context takes: every track's, plus the
    /// upstream end's own for its sender reports. One link carries every stream between two
    /// nodes; the WebRTC session limit of 64 stopped a link at 31 two-track streams and
    /// silently dropped the rest (issue 14's 60-stream recording run). 16384 is 4096 simulcast
    /// streams of three video layers and audio; with the 8192-packet replay window a context
    /// holds 4 KB per SSRC of room (about 2 MB for 300 SSRCs, 64 MB when full), allocated only
    /// as new SSRCs come. The table never forgets an SSRC, so this bounds the SSRCs a link
    /// carries over its life.
    public var maximumSSRCs: Int

    /// The defaults: keepalive after 500 ms idle, reports every second, down after 2 s, quiet
    /// after 2 s (two reports missed), a 8192-packet replay window, 100 ms assumed RTT, key frame
    /// requests 500 ms apart, 16384 SSRCs.
    public init(
        keepaliveInterval: UInt64 = 500_000_000, reportInterval: UInt64 = 1_000_000_000,
        livenessTimeout: UInt64 = 2_000_000_000, quietTimeout: UInt64 = 2_000_000_000, replayWindow: Int = 8192,
        initialRoundTripTime: UInt64 = 100_000_000, keyframeRequestInterval: UInt64 = 500_000_000,
        nack: NACKRequester.Configuration = NACKRequester.Configuration(), maximumSSRCs: Int = 16384
    ) {
        self.keepaliveInterval = keepaliveInterval
        self.reportInterval = reportInterval
        self.livenessTimeout = livenessTimeout
        self.quietTimeout = quietTimeout
        self.replayWindow = replayWindow
        self.initialRoundTripTime = initialRoundTripTime
        self.keyframeRequestInterval = keyframeRequestInterval
        self.nack = nack
        self.maximumSSRCs = maximumSSRCs
    }
}

// MARK: Presets

/// The timers the engine runs its link ends with (`MediaEngine+Mesh.swift`), stated in
/// `Sources/Common/RTC/README.md` ("Relay links") and pinned there by `LinkPresetTests`.
extension LinkConfiguration {
    /// How long a downstream end hears nothing before it calls the link down and re-paths, and
    /// how long an upstream end hears no feedback before it reports the downstream node quiet
    /// (ns): the engine's default (`MediaEngineConfiguration.linkLivenessTimeout`). DESIGN.md
    /// allows 2 s; 1 s is five keepalive intervals of an idle link and lets viewers see pictures
    /// again within 2 s of an upstream node's death.
    public static let defaultLivenessTimeout: UInt64 = 1_000_000_000

    /// The receiving end, on the downstream node: receiver reports every 250 ms, so the upstream
    /// end hears four a second and can tell silence from a late report within its quiet timeout;
    /// down after `livenessTimeout` of silence; NACK retries paced by an assumed 20 ms round trip
    /// until the upstream end's measurement arrives. The fields only a sending end reads
    /// (keepalive, quiet timeout) keep their defaults.
    public static func downstreamEnd(livenessTimeout: UInt64 = defaultLivenessTimeout) -> LinkConfiguration {
        LinkConfiguration(
            reportInterval: 250_000_000, livenessTimeout: livenessTimeout, initialRoundTripTime: 20_000_000)
    }

    /// The sending end, on the upstream node: a sender report every second, and one as a keepalive
    /// after 200 ms idle (five in the downstream end's second); the downstream node reported quiet
    /// after `quietTimeout` without feedback, so placement can stop choosing it; the link itself
    /// dropped only after 10 s, long after the downstream end would have re-pathed. The fields
    /// only a receiving end reads (assumed RTT, NACK, key frame requests) keep their defaults.
    public static func upstreamEnd(quietTimeout: UInt64 = defaultLivenessTimeout) -> LinkConfiguration {
        LinkConfiguration(
            keepaliveInterval: 200_000_000, reportInterval: 1_000_000_000, livenessTimeout: 10_000_000_000,
            quietTimeout: quietTimeout)
    }
}
