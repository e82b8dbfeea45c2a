import MeshWire

/// Records the transport-wide sequence numbers of a publisher's packets and when they arrived,
/// and builds transport-wide congestion control feedback from them
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) about every `interval`.
///
/// Recording is allocation-free into a fixed ring; building (every ~50 ms, not per packet) uses
/// MeshWire's ``TransportWideCCFeedback`` builder and splits a batch into several feedback
/// messages when it spans more than `maxPacketsPerFeedback` sequence numbers.
public struct TransportCCFeedbackBuilder: Sendable {
    /// Least time (ns) between two feedback batches.
    public let interval: UInt64
    /// Most sequence numbers one feedback message covers.
    public let maxPacketsPerFeedback: Int
    private var arrivals: [(sequence: Int64, arrival: UInt64)]
    private var count = 0
    private var unwrapper = SequenceUnwrapper()
    private var lastFeedback: UInt64?
    /// Arrivals are sent relative to the first one: the reference time field holds 24 bits of 64 ms.
    private var timeBase: UInt64?
    /// The feedback packet count of the next message (wraps at 256).
    public private(set) var feedbackPacketCount: UInt8 = 0

    /// A builder sending every `interval` (default 50 ms), holding at most `capacity` arrivals
    /// between two batches (the oldest are dropped beyond it).
    public init(interval: UInt64 = 50_000_000, capacity: Int = 2048, maxPacketsPerFeedback: Int = 256) {
        self.interval = interval
        self.maxPacketsPerFeedback = max(maxPacketsPerFeedback, 1)
        arrivals = Array(repeating: (0, 0), count: max(capacity, 1))
    }

    /// Arrivals waiting for the next batch.
    public var pendingCount: Int { count }

    /// Records the packet with transport-wide sequence number `sequence` arriving at `arrival`.
    public mutating func record(transportSequence sequence: UInt16, arrival: UInt64) {
        let extended = unwrapper.unwrap(sequence)
        if timeBase == nil { timeBase = arrival }
        if count == arrivals.count {
            // Full: the oldest goes; the sender will treat it as lost, which is the truth of it.
            for index in 1..<arrivals.count { arrivals[index - 1] = arrivals[index] }
            count -= 1
        }
        arrivals[count] = (extended, arrival)
        count += 1
    }

    /// The span (µs) of the 24-bit reference time in 64 ms units; times are sent modulo it.
    static let referenceTimeSpan: UInt64 = (1 << 23) * 64_000

    /// The feedback due at `now`: empty before `interval` has passed since the last batch or when
    /// nothing arrived. Arrival times are sent relative to the first arrival recorded.
    public mutating func feedback(now: UInt64, senderSSRC: UInt32, mediaSSRC: UInt32) -> [TransportWideCCFeedback] {
        if let lastFeedback, now &- lastFeedback < interval { return [] }
        guard count > 0 else { return [] }
        lastFeedback = now
        var pending = arrivals[0..<count].sorted { $0.sequence < $1.sequence }
        count = 0
        // Duplicates keep the first arrival.
        var unique: [(sequence: Int64, arrival: UInt64)] = []
        unique.reserveCapacity(pending.count)
        for entry in pending where unique.last?.sequence != entry.sequence { unique.append(entry) }
        pending = unique
        var messages: [TransportWideCCFeedback] = []
        var start = 0
        while start < pending.count {
            var end = start + 1
            while end < pending.count, pending[end].sequence - pending[start].sequence < Int64(maxPacketsPerFeedback) {
                end += 1
            }
            let slice = pending[start..<end]
            let base = timeBase ?? 0
            let pairs = slice.map {
                (
                    sequenceNumber: UInt16(truncatingIfNeeded: $0.sequence),
                    arrivalTime: Int64(($0.arrival &- base) / 1000 % Self.referenceTimeSpan)
                )
            }
            if let message = try? TransportWideCCFeedback(
                senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, feedbackPacketCount: feedbackPacketCount, arrivals: pairs)
            {
                messages.append(message)
                feedbackPacketCount &+= 1
            }
            start = end
        }
        return messages
    }
}
