/// Maps one track's RTP timestamps to wall-clock time, so that every track of a recording
/// shares one clock (RFC 3550 §6.4.1: a sender report pairs an NTP time with the RTP
/// timestamp of the same instant, per SSRC).
///
/// Times are nanoseconds on the NTP timescale (``nanoseconds(ntp:)``); the caller gives
/// arrival times on the same scale. Before the first sender report the first packet's
/// arrival anchors the track. The first report re-anchors it; later reports only when their
/// pair strays more than ``driftTolerance`` from what the anchor predicts (a sender clock
/// that drifts against its RTP clock, or a publisher that restarted its timestamps), so
/// report jitter does not move frames. RTP timestamps are unwrapped across 2^32.
public struct TrackClock: Sendable {
    /// The RTP clock rate (90 000 for video, 48 000 for Opus).
    public let clockRate: Int64
    /// How far a sender report may stray from the anchor before it becomes the new anchor.
    public let driftTolerance: Int64
    /// How often a sender report moved the anchor (the first one included).
    public private(set) var reanchors = 0
    /// Whether the anchor comes from a sender report (rather than an arrival time).
    public private(set) var isSynchronized = false

    private var anchor: (rtp: Int64, wall: Int64)?
    private var highest: Int64?

    /// A clock for a track of `clockRate` Hz; `driftTolerance` in ns (5 ms by default, well
    /// inside the 40 ms lip-sync budget).
    public init(clockRate: Int, driftTolerance: Int64 = 5_000_000) {
        precondition(clockRate > 0)
        self.clockRate = Int64(clockRate)
        self.driftTolerance = driftTolerance
    }

    /// An NTP timestamp (RFC 5905 §6: 32-bit seconds, 32-bit fraction) in nanoseconds.
    public static func nanoseconds(ntp: UInt64) -> Int64 {
        Int64(ntp >> 32) * 1_000_000_000 + Int64(((ntp & 0xFFFF_FFFF) * 1_000_000_000) >> 32)
    }

    /// Takes a sender report's NTP/RTP pair for this track.
    public mutating func senderReport(ntp: UInt64, rtpTimestamp: UInt32) {
        let extended = unwrap(rtpTimestamp)
        let wall = Self.nanoseconds(ntp: ntp)
        if isSynchronized, let anchor, abs(predict(extended, from: anchor) - wall) <= driftTolerance { return }
        anchor = (extended, wall)
        isSynchronized = true
        reanchors += 1
    }

    /// The wall time of a packet or frame with `rtpTimestamp` that arrived at `arrival`.
    public mutating func wallTime(rtpTimestamp: UInt32, arrival: Int64) -> Int64 {
        let extended = unwrap(rtpTimestamp)
        guard let anchor else {
            self.anchor = (extended, arrival)
            return arrival
        }
        return predict(extended, from: anchor)
    }

    private func predict(_ extended: Int64, from anchor: (rtp: Int64, wall: Int64)) -> Int64 {
        let ticks = extended - anchor.rtp
        // Split to keep ticks × 10^9 inside 64 bits for any plausible span.
        return anchor.wall + ticks / clockRate * 1_000_000_000 + ticks % clockRate * 1_000_000_000 / clockRate
    }

    /// The timestamp extended to 64 bits, nearest to the highest seen so far.
    private mutating func unwrap(_ timestamp: UInt32) -> Int64 {
        guard let highest else {
            self.highest = Int64(timestamp)
            return Int64(timestamp)
        }
        let delta = Int64(Int32(bitPattern: timestamp &- UInt32(truncatingIfNeeded: highest)))
        let extended = highest + delta
        if extended > highest { self.highest = extended }
        return extended
    }
}
