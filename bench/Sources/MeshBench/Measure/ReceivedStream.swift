import MeshRTC
import MeshWire

/// One RTP stream a viewer receives: counts, reception statistics for receiver reports and
/// jitter (RFC 3550 §6.4.1, §A.8, MeshRTC's `ReceiveStatistics`, as the node keeps them) and
/// loss before and after retransmission (``LossTracker``). Allocation-free per packet.
struct ReceivedStream {
    let clockRate: UInt32
    private(set) var statistics: ReceiveStatistics?
    private(set) var loss = LossTracker()
    /// Packets and RTP bytes received, retransmissions included.
    private(set) var packets = 0
    private(set) var bytes = 0

    init(clockRate: UInt32) { self.clockRate = clockRate }

    /// The stream's SSRC, 0 before its first packet.
    var ssrc: UInt32 { statistics?.ssrc ?? 0 }

    /// Interarrival jitter in milliseconds (RFC 3550 §6.4.1).
    var jitterMilliseconds: Double {
        guard let statistics else { return 0 }
        return Double(statistics.jitter) * 1000 / Double(clockRate)
    }

    /// Records `packet` (`length` bytes) arriving at `now`. A new SSRC starts the counts over.
    mutating func received(_ packet: RTPPacketView, length: Int, now: UInt64) {
        if statistics?.ssrc != packet.ssrc {
            statistics = ReceiveStatistics(ssrc: packet.ssrc, clockRate: clockRate)
            loss = LossTracker()
        }
        statistics?.record(sequence: packet.sequenceNumber, rtpTimestamp: packet.timestamp, arrival: now, size: length)
        loss.received(sequence: packet.sequenceNumber, now: now)
        packets &+= 1
        bytes &+= length
    }

    /// The stream's receiver report block at `now` (RFC 3550 §6.4.1), `nil` before a packet.
    mutating func reportBlock(now: UInt64) -> ReceptionReport? {
        statistics?.reportBlock(now: now)
    }

    /// Asks the loss tracker for the sequence numbers due for a NACK at `now`.
    mutating func forEachDueNACK(now: UInt64, rtt: UInt64, _ body: (UInt16) -> Void) {
        loss.forEachDue(now: now, rtt: rtt, body)
    }

    /// Whether packets were given up on since the last call (the viewer should ask for a key frame).
    mutating func takeGaveUp() -> Bool { loss.takeGaveUp() }
}
