import MeshWire

/// Reception statistics of one incoming RTP stream, as RFC 3550 Appendix A computes them:
/// highest extended sequence (§A.1), cumulative and interval loss (§A.3), interarrival jitter
/// (§A.8), the report block an RR carries (§6.4.1), and the bitrate over the last second.
/// Fixed size; recording a packet allocates nothing.
public struct ReceiveStatistics: Sendable {
    /// The source these statistics describe.
    public let ssrc: UInt32
    /// The media clock rate (Hz) its timestamps count in.
    public let clockRate: UInt32

    private var unwrapper = SequenceUnwrapper()
    private var baseSequence: Int64 = 0
    /// Packets received, duplicates and retransmissions included (§A.3 "received").
    public private(set) var packetsReceived: Int64 = 0
    private var expectedPrior: Int64 = 0
    private var receivedPrior: Int64 = 0
    private var lastTransit: Int32?
    /// Jitter scaled by 16, the integer form of §A.8.
    private var jitterQ4: UInt32 = 0
    private var lastSenderReportNTP: UInt64?
    private var lastSenderReportArrival: UInt64 = 0
    private var bitrateWindow = BitrateWindow()

    /// Statistics for `ssrc`, whose timestamps run at `clockRate` Hz.
    public init(ssrc: UInt32, clockRate: UInt32) {
        self.ssrc = ssrc
        self.clockRate = clockRate
    }

    /// Records a packet: its sequence number, RTP timestamp, arrival (monotonic ns) and size.
    public mutating func record(sequence: UInt16, rtpTimestamp: UInt32, arrival: UInt64, size: Int) {
        let first = unwrapper.highest == nil
        let extended = unwrapper.unwrap(sequence)
        if first { baseSequence = extended } else if extended < baseSequence { baseSequence = extended }
        packetsReceived &+= 1
        bitrateWindow.add(bytes: size, at: arrival)
        // §A.8: D(i-1,i) = (Rj - Ri) - (Sj - Si), both in media clock units.
        let transit = Int32(bitPattern: MediaClock.ticks(arrival, clockRate: clockRate) &- rtpTimestamp)
        if let lastTransit {
            let difference = transit &- lastTransit
            let magnitude = difference == .min ? UInt32(Int32.max) : UInt32(abs(difference))
            jitterQ4 = jitterQ4 &+ magnitude &- ((jitterQ4 &+ 8) >> 4)
        }
        lastTransit = transit
    }

    /// The highest extended sequence number received.
    public var extendedHighestSequence: Int64? { unwrapper.highest }

    /// Packets expected so far (§A.3: highest - base + 1).
    public var packetsExpected: Int64 {
        guard let highest = unwrapper.highest else { return 0 }
        return highest - baseSequence + 1
    }

    /// Cumulative packets lost (§A.3); negative when duplicates outnumber losses.
    public var cumulativeLost: Int64 { packetsExpected - packetsReceived }

    /// Interarrival jitter in media clock units (§A.8).
    public var jitter: UInt32 { jitterQ4 >> 4 }

    /// Bits per second received over the second before `now`.
    public func bitrate(now: UInt64) -> UInt64 { bitrateWindow.bitsPerSecond(now: now) }

    /// Notes a sender report from this source (its NTP timestamp) arriving at `arrival`, for
    /// the LSR/DLSR fields of the next report block.
    public mutating func receivedSenderReport(ntpTimestamp: UInt64, arrival: UInt64) {
        lastSenderReportNTP = ntpTimestamp
        lastSenderReportArrival = arrival
    }

    /// The report block for an RR (§6.4.1) at `now`; starts the next loss interval (§A.3).
    public mutating func reportBlock(now: UInt64) -> ReceptionReport {
        let expected = packetsExpected
        let expectedInterval = expected - expectedPrior
        let receivedInterval = packetsReceived - receivedPrior
        expectedPrior = expected
        receivedPrior = packetsReceived
        let lostInterval = expectedInterval - receivedInterval
        let fraction: UInt8 =
            expectedInterval <= 0 || lostInterval <= 0 ? 0 : UInt8(min((lostInterval << 8) / expectedInterval, 255))
        // The wire field is a signed 24-bit count: clamp, as §A.3 says to.
        let cumulative = Int32(min(max(cumulativeLost, -0x80_0000), 0x7F_FFFF))
        var lastSR: UInt32 = 0
        var delay: UInt32 = 0
        if let ntp = lastSenderReportNTP {
            lastSR = UInt32(truncatingIfNeeded: ntp >> 16)
            let elapsed = now >= lastSenderReportArrival ? now - lastSenderReportArrival : 0
            // DLSR counts 1/65536 s.
            delay = elapsed >= UInt64.max >> 16 ? .max : UInt32(clamping: (elapsed << 16) / 1_000_000_000)
        }
        return ReceptionReport(
            ssrc: ssrc, fractionLost: fraction, cumulativeLost: cumulative,
            extendedHighestSequenceNumber: UInt32(truncatingIfNeeded: max(unwrapper.highest ?? 0, 0)),
            jitter: jitter, lastSenderReport: lastSR, delaySinceLastSenderReport: delay)
    }
}

/// Bytes received in ten 100 ms bins: enough for a one-second bitrate with no allocation.
struct BitrateWindow: Sendable {
    static let binNanoseconds: UInt64 = 100_000_000
    private var bins: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    /// Index (time / bin) of the newest bin written.
    private var newestBin: UInt64?

    mutating func add(bytes: Int, at now: UInt64) {
        let bin = now / Self.binNanoseconds
        advance(to: bin)
        withUnsafeMutableBytes(of: &bins) { raw in
            let slots = raw.bindMemory(to: UInt64.self)
            slots[Int(bin % 10)] &+= UInt64(max(bytes, 0))
        }
    }

    private mutating func advance(to bin: UInt64) {
        guard let newest = newestBin else {
            newestBin = bin
            return
        }
        guard bin > newest else { return }
        let cleared = min(bin - newest, 10)
        withUnsafeMutableBytes(of: &bins) { raw in
            let slots = raw.bindMemory(to: UInt64.self)
            for step in 1...cleared { slots[Int((newest + step) % 10)] = 0 }
        }
        newestBin = bin
    }

    func bitsPerSecond(now: UInt64) -> UInt64 {
        guard let newest = newestBin else { return 0 }
        let bin = now / Self.binNanoseconds
        guard bin < newest + 10 else { return 0 }
        var total: UInt64 = 0
        withUnsafeBytes(of: bins) { raw in
            let slots = raw.bindMemory(to: UInt64.self)
            // Bins newer than `bin - 9` and not after `newest` are in the window.
            let oldest = bin >= 9 ? bin - 9 : 0
            var index = max(oldest, newest >= 9 ? newest - 9 : 0)
            while index <= newest {
                total &+= slots[Int(index % 10)]
                index += 1
            }
        }
        return total &* 8
    }
}
