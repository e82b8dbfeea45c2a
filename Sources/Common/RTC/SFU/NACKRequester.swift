import MeshWire

/// The publisher side of loss recovery (RFC 4585 §6.2.1): notices gaps in the sequence
/// numbers a publisher sends, and says which to NACK upstream and when.
///
/// A missing packet is requested at the next poll, then again every retry interval (the round
/// trip time plus a margin, so a retransmission in flight is not asked for twice), until it
/// arrives, has been asked for `maxRetries` times, or falls `maxAge` behind. The table has a
/// fixed capacity; noticing a gap and receiving a packet allocate nothing.
public struct NACKRequester: Sendable {
    /// One missing packet.
    struct Entry: Sendable {
        var sequence: Int64
        var noticed: UInt64
        var lastRequested: UInt64?
        var tries: Int
    }

    /// Tunables; the defaults follow common WebRTC practice.
    public struct Configuration: Sendable {
        /// Requests per packet before giving up.
        public var maxRetries: Int
        /// Give up on a packet this long (ns) after its gap was noticed.
        public var maxAge: UInt64
        /// Give up on a packet this many sequence numbers behind the highest.
        public var maxSequenceAge: Int64
        /// Least wait (ns) between two requests for one packet, whatever the round trip.
        public var minimumRetryInterval: UInt64
        /// Most packets tracked at once; a larger gap is left to a key frame request.
        public var capacity: Int

        /// The defaults: 10 tries, 1 s, 1000 packets, 20 ms, 512 entries.
        public init(
            maxRetries: Int = 10, maxAge: UInt64 = 1_000_000_000, maxSequenceAge: Int64 = 1000,
            minimumRetryInterval: UInt64 = 20_000_000, capacity: Int = 512
        ) {
            self.maxRetries = maxRetries
            self.maxAge = maxAge
            self.maxSequenceAge = maxSequenceAge
            self.minimumRetryInterval = minimumRetryInterval
            self.capacity = capacity
        }
    }

    /// The tunables in use.
    public let configuration: Configuration
    private var unwrapper = SequenceUnwrapper()
    private var missing: [Entry]
    /// Packets that arrived after being noticed missing (late or retransmitted).
    public private(set) var recovered = 0
    /// Packets given up on.
    public private(set) var abandoned = 0
    /// Set when a gap was too large to track: the caller should ask for a key frame instead.
    public private(set) var needsKeyframe = false
    private var abandonedReported = 0

    /// A requester with `configuration`; its table is allocated here, once.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        missing = []
        missing.reserveCapacity(max(configuration.capacity, 1))
    }

    /// Sequence numbers currently missing, oldest first (for tests and metrics).
    public var missingSequences: [UInt16] { missing.map { UInt16(truncatingIfNeeded: $0.sequence) } }

    /// Records the arrival of `sequence` at `now`.
    public mutating func received(sequence: UInt16, now: UInt64) {
        let previous = unwrapper.highest
        let extended = unwrapper.unwrap(sequence)
        guard let previous else { return }
        if extended <= previous {
            if let index = missing.firstIndex(where: { $0.sequence == extended }) {
                missing.remove(at: index)
                recovered += 1
            }
            return
        }
        let gap = extended - previous - 1
        guard gap > 0 else { return }
        if gap > Int64(configuration.capacity - missing.count) {
            abandoned += missing.count + Int(min(gap, Int64(Int.max / 2)))
            missing.removeAll(keepingCapacity: true)
            needsKeyframe = true
            return
        }
        for lost in (previous + 1)..<extended {
            missing.append(Entry(sequence: lost, noticed: now, lastRequested: nil, tries: 0))
        }
    }

    /// Clears ``needsKeyframe`` once the caller has acted on it.
    public mutating func keyframeRequested() { needsKeyframe = false }

    /// True once after packets were given up for lost since the last call (out of tries, too
    /// old, or a gap too large to track): what follows cannot be decoded without a key frame.
    /// Clears ``needsKeyframe``.
    public mutating func takeLossForGood() -> Bool {
        guard abandoned != abandonedReported else { return false }
        abandonedReported = abandoned
        needsKeyframe = false
        return true
    }

    /// The packets to NACK at `now` given the round-trip time `rtt` (ns), marking them requested;
    /// drops entries that are out of tries or too old. Empty when nothing is due.
    public mutating func dueSequences(now: UInt64, rtt: UInt64) -> [UInt16] {
        var due: [UInt16] = []
        forEachDue(now: now, rtt: rtt) { due.append($0) }
        return due
    }

    /// A Generic NACK for the packets due at `now`, or `nil` when none are.
    public mutating func nack(now: UInt64, rtt: UInt64, senderSSRC: UInt32, mediaSSRC: UInt32) -> GenericNACK? {
        let due = dueSequences(now: now, rtt: rtt)
        guard !due.isEmpty else { return nil }
        return GenericNACK(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, lostSequenceNumbers: due)
    }

    /// Calls `body` with each sequence number due, oldest first, without allocating.
    public mutating func forEachDue(now: UInt64, rtt: UInt64, _ body: (UInt16) -> Void) {
        let interval = max(rtt &+ rtt / 4, configuration.minimumRetryInterval)
        let highest = unwrapper.highest ?? 0
        let limits = configuration
        var dropped = 0
        missing.removeAll { entry in
            let tooOld =
                now &- entry.noticed > limits.maxAge || highest - entry.sequence > limits.maxSequenceAge
            if entry.tries >= limits.maxRetries || tooOld {
                dropped += 1
                return true
            }
            return false
        }
        abandoned += dropped
        for index in missing.indices {
            if let last = missing[index].lastRequested, now &- last < interval { continue }
            missing[index].lastRequested = now
            missing[index].tries += 1
            body(UInt16(truncatingIfNeeded: missing[index].sequence))
        }
    }
}
