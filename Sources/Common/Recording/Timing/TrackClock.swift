/// Maps one track's RTP timestamps to wall-clock time, so that every track of a recording
/// shares one clock (RFC 3550 §6.4.1: a sender report pairs an NTP time with the RTP
/// timestamp of the same instant, per SSRC).
///
/// Times are nanoseconds on the NTP timescale (``nanoseconds(ntp:)``); the caller gives
/// arrival times on the same scale. Before the first sender report the first packet's
/// arrival anchors the track, and the first report re-anchors it at once (a clock made with
/// `holdsFirstReport` holds it as below). A later report whose pair strays more than
/// ``driftTolerance`` from what the anchor predicts (a sender clock that drifts against its
/// RTP clock) is held as the latest mapping, and becomes the anchor only when the caller
/// adopts it (``adoptLatest()``, at a segment cut): a step between two frames of one file
/// moves their phase on a player's frame grid (ffmpeg's `-f null` puts a 30 fps file's frames
/// in 1/30 s slots, and a step back puts two in one slot), while within a segment's few
/// seconds a real sender drifts by microseconds. Report jitter within the tolerance moves
/// nothing. RTP timestamps are unwrapped across 2^32.
public struct TrackClock: Sendable {
    /// The RTP clock rate (90 000 for video, 48 000 for Opus).
    public let clockRate: Int64
    /// How far a sender report may stray from the anchor before it becomes the new anchor.
    public let driftTolerance: Int64
    /// How often a sender report became the anchor (the first one included).
    public private(set) var reanchors = 0
    /// Whether a sender report has come: the anchor is a report's, or within
    /// ``driftTolerance`` of one, or a report waits for ``adoptLatest()``.
    public private(set) var isSynchronized = false
    /// Whether the first report waits for ``adoptLatest()`` when frames were already timed by
    /// arrival.
    public let holdsFirstReport: Bool

    private var anchor: (rtp: Int64, wall: Int64)?
    /// A report that strayed from the anchor, not adopted yet.
    private var pending: (rtp: Int64, wall: Int64)?
    private var highest: Int64?

    /// A clock for a track of `clockRate` Hz; `driftTolerance` in ns (5 ms by default, well
    /// inside the 40 ms lip-sync budget). `holdsFirstReport` is for a timeline that starts in
    /// the middle of a file (a publisher that reconnected): its frames until the first report
    /// are timed by their arrival, and the report would step the ones after it back by the
    /// sender's and the path's delay, between two frames of one file.
    public init(clockRate: Int, driftTolerance: Int64 = 5_000_000, holdsFirstReport: Bool = false) {
        precondition(clockRate > 0)
        self.clockRate = Int64(clockRate)
        self.driftTolerance = driftTolerance
        self.holdsFirstReport = holdsFirstReport
    }

    /// An NTP timestamp (RFC 5905 §6: 32-bit seconds, 32-bit fraction) in nanoseconds.
    public static func nanoseconds(ntp: UInt64) -> Int64 {
        Int64(ntp >> 32) * 1_000_000_000 + Int64(((ntp & 0xFFFF_FFFF) * 1_000_000_000) >> 32)
    }

    /// Takes a sender report's NTP/RTP pair for this track.
    public mutating func senderReport(ntp: UInt64, rtpTimestamp: UInt32) {
        let extended = unwrap(rtpTimestamp)
        let wall = Self.nanoseconds(ntp: ntp)
        guard isSynchronized || holdsFirstReport, let anchor else {
            anchor = (extended, wall)
            isSynchronized = true
            reanchors += 1
            return
        }
        isSynchronized = true
        pending = abs(predict(extended, from: anchor) - wall) <= driftTolerance ? nil : (extended, wall)
    }

    /// Whether a report strayed from the anchor and waits for ``adoptLatest()``.
    public var hasPendingReport: Bool { pending != nil }

    /// Makes the latest report that strayed from the anchor the anchor.
    public mutating func adoptLatest() {
        guard let pending else { return }
        anchor = pending
        self.pending = nil
        reanchors += 1
    }

    /// The wall time of a packet or frame with `rtpTimestamp` that arrived at `arrival`, by
    /// the anchor.
    public mutating func wallTime(rtpTimestamp: UInt32, arrival: Int64) -> Int64 {
        times(rtpTimestamp: rtpTimestamp, arrival: arrival).anchored
    }

    /// The wall time of `rtpTimestamp` by the anchor, and by the latest report (the same when
    /// none is pending): what the caller writes until it adopts the latest, and what it writes
    /// from then on.
    public mutating func times(rtpTimestamp: UInt32, arrival: Int64) -> (anchored: Int64, latest: Int64) {
        let extended = unwrap(rtpTimestamp)
        guard let anchor else {
            self.anchor = (extended, arrival)
            return (arrival, arrival)
        }
        let anchored = predict(extended, from: anchor)
        return (anchored, pending.map { predict(extended, from: $0) } ?? anchored)
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
