import MeshWire

/// Queueing on a viewer's path, read from its receiver report blocks (RFC 3550 §6.4.1): the
/// round trip each block gives through LSR and DLSR, against the least seen recently, and the
/// rate the viewer received between two blocks.
///
/// A queue building in front of a bottleneck raises the round trip long before it overflows
/// into loss, and a REMB receiver says nothing useful for its first seconds (Chromium's
/// estimate is not valid until it has five seconds of data or sees overuse itself). Chromium
/// sends a report block about every 250 ms, so a viewer that starts on a layer its link cannot
/// carry is moved within a second instead of freezing until loss reports pile up.
/// Allocation-free after `init`.
public struct ViewerPathMonitor: Sendable {
    /// Extra round trip (ns) over the base that counts as a queue, when two blocks in a row
    /// show it and the second no less than the first: above the scheduling blips of a busy
    /// host (a single late report), well below the half second a bloated buffer adds.
    public static let queueingThreshold: UInt64 = 80_000_000
    /// How long (ns) the least round trip stands as the base before a new one replaces it.
    static let baseLifetime: UInt64 = 30_000_000_000
    /// Least spacing (ns) of the blocks a received rate is measured between.
    static let rateInterval: UInt64 = 500_000_000

    /// The sender reports sent last: their NTP middle 32 bits (the LSR a block echoes) and
    /// when they went (RFC 3550 §6.4.1: RTT = A - LSR - DLSR, with A in our own clock).
    private var reportMiddles = [UInt32](repeating: 0, count: 16)
    private var reportTimes = [UInt64](repeating: 0, count: 16)
    private var nextReport = 0
    /// When the sender report the last round trip was measured with went (monotonic ns): the
    /// round trip shows the path as it was then.
    public private(set) var echoedReportTime: UInt64 = 0
    /// The last round trip (ns).
    public private(set) var roundTripTime: UInt64?
    private var base: (roundTrip: UInt64, at: UInt64)?
    private var previous: (at: UInt64, highest: UInt32, lost: Int32)?
    /// The round trip over the base (ns) the last block that echoed a report showed, shrinking
    /// or not, one block or two.
    public private(set) var lastQueueing: UInt64 = 0
    /// Bits per second the viewer received between its last two blocks (≥ 200 ms apart).
    public private(set) var receivedRate: UInt64?

    /// A monitor with nothing seen yet.
    public init() {}

    /// A sender report with NTP timestamp `ntpTimestamp` went to the viewer at `now`.
    public mutating func sentSenderReport(ntpTimestamp: UInt64, at now: UInt64) {
        reportMiddles[nextReport] = UInt32(truncatingIfNeeded: ntpTimestamp >> 16)
        reportTimes[nextReport] = now
        nextReport = (nextReport + 1) % reportMiddles.count
    }

    /// A report block for the viewer's stream arrived at `now`; `bytesPerPacket` is what the
    /// stream's packets weigh on average. Returns the queueing delay (ns over the base round
    /// trip, 0 unless this block and the one before both show a queue and it is not shrinking),
    /// `nil` when the block echoes no report of ours.
    public mutating func received(_ block: ReceptionReport, bytesPerPacket: Int, now: UInt64) -> UInt64? {
        measureRate(block, bytesPerPacket: bytesPerPacket, now: now)
        guard block.lastSenderReport != 0, let sent = sentTime(ofMiddle: block.lastSenderReport) else { return nil }
        let held = UInt64(block.delaySinceLastSenderReport) * 1_000_000_000 / 65_536
        guard now >= sent &+ held else { return nil }
        let roundTrip = now - sent - held
        roundTripTime = roundTrip
        echoedReportTime = sent
        guard let current = base, current.roundTrip <= roundTrip, now &- current.at < Self.baseLifetime else {
            base = (roundTrip, now)
            lastQueueing = 0
            return 0
        }
        let queueing = roundTrip - current.roundTrip
        defer { lastQueueing = queueing }
        let sustained = lastQueueing > Self.queueingThreshold && queueing >= lastQueueing
        return sustained ? queueing : 0
    }

    private func sentTime(ofMiddle middle: UInt32) -> UInt64? {
        for slot in reportMiddles.indices where reportMiddles[slot] == middle && reportTimes[slot] != 0 {
            return reportTimes[slot]
        }
        return nil
    }

    private mutating func measureRate(_ block: ReceptionReport, bytesPerPacket: Int, now: UInt64) {
        guard let last = previous else {
            previous = (now, block.extendedHighestSequenceNumber, block.cumulativeLost)
            return
        }
        let elapsed = now &- last.at
        guard elapsed >= Self.rateInterval else { return }
        previous = (now, block.extendedHighestSequenceNumber, block.cumulativeLost)
        // Signed, and in doubles: a block is the viewer's word, and one whose highest sequence
        // went back or leapt ahead (a reordered or forged report) must not trap on overflow.
        let sent = Int64(block.extendedHighestSequenceNumber) - Int64(last.highest)
        let lost = Int64(block.cumulativeLost) - Int64(last.lost)
        guard sent >= 0, sent <= Int64(UInt16.max) else { return }
        // Duplicates make the loss negative (RFC 3550 §6.4.1), but no more arrived than was sent.
        let packets = Double(min(sent, max(0, sent - lost)))
        receivedRate = UInt64(min(packets * Double(max(bytesPerPacket, 0)) * 8 * 1e9 / Double(elapsed), 1e12))
    }
}
