import MeshRTC

/// Loss on one received RTP stream, before and after retransmission, and what to NACK.
///
/// "Before" counts every sequence number noticed missing when a later one arrived; "after"
/// counts those that never arrived (expected minus the distinct packets received). NACK
/// timing and give-up come from MeshRTC's `NACKRequester`, the same the node uses towards
/// publishers. Allocation-free per packet.
struct LossTracker {
    private var unwrapper = SequenceUnwrapper()
    private var first: Int64?
    private var nacks = NACKRequester(configuration: .init(maxRetries: 5, maxAge: 1_000_000_000))
    /// Sequence numbers noticed missing when a later packet arrived.
    private(set) var lostBeforeRetransmission = 0
    /// Packets that arrived in order (first copies).
    private var inOrder = 0
    /// Packets received twice (a retransmission of something that had arrived).
    private(set) var duplicates = 0

    /// Records packet `sequence` arriving at `now`.
    mutating func received(sequence: UInt16, now: UInt64) {
        let previous = unwrapper.highest
        let extended = unwrapper.unwrap(sequence)
        if first == nil { first = extended }
        if let previous, extended <= previous {
            let recovered = nacks.recovered
            nacks.received(sequence: sequence, now: now)
            if nacks.recovered == recovered { duplicates &+= 1 }
            return
        }
        if let previous, extended > previous &+ 1 { lostBeforeRetransmission &+= Int(extended - previous - 1) }
        inOrder &+= 1
        nacks.received(sequence: sequence, now: now)
    }

    /// Calls `body` with each sequence number to NACK at `now` (round-trip time `rtt` ns).
    mutating func forEachDue(now: UInt64, rtt: UInt64, _ body: (UInt16) -> Void) {
        nacks.forEachDue(now: now, rtt: rtt, body)
    }

    /// True once after packets were given up on (out of tries, or a gap too large to NACK).
    mutating func takeGaveUp() -> Bool {
        nacks.takeLossForGood()
    }

    /// Packets the sender numbered from the first received to the newest.
    var expected: Int {
        guard let first, let highest = unwrapper.highest else { return 0 }
        return Int(highest - first + 1)
    }

    /// Distinct packets received.
    var distinct: Int { inOrder + nacks.recovered }

    /// Packets still missing (never arrived, not even retransmitted).
    var lostAfterRetransmission: Int { max(0, expected - distinct) }

    /// Packets that arrived only thanks to a retransmission.
    var recovered: Int { nacks.recovered }

    /// The extended highest sequence number for receiver reports (RFC 3550 §6.4.1).
    var extendedHighest: UInt32 { UInt32(truncatingIfNeeded: unwrapper.highest ?? 0) }
}
