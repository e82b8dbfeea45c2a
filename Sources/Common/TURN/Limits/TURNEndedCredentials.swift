/// The credential ids of media sessions that have ended, so a credential minted for a session
/// cannot open new allocations once the session is gone (its REST expiry is hours away).
///
/// Bounded: at most `capacity` ids, the oldest forgotten first; each is kept only until its
/// credential would have expired anyway (`retention`).
public struct TURNEndedCredentials: Sendable {
    /// Most ids remembered.
    public let capacity: Int
    /// How long an id is remembered: the longest lifetime a minted credential has.
    public let retentionSeconds: Int64
    private var until: [[UInt8]: TURNInstant] = [:]
    private var order: [[UInt8]] = []
    private var head = 0

    /// An empty record.
    public init(capacity: Int = 100_000, retentionSeconds: Int64 = 12 * 3600) {
        self.capacity = capacity
        self.retentionSeconds = retentionSeconds
    }

    /// Remembers that the session `id` ended at `now`.
    public mutating func insert(_ id: [UInt8], now: TURNInstant) {
        if until.updateValue(now.adding(seconds: retentionSeconds), forKey: id) == nil { order.append(id) }
        while until.count > capacity || (head < order.count && (until[order[head]] ?? now) < now) {
            until[order[head]] = nil
            head += 1
        }
        // Compact the queue once its consumed head outweighs what is left.
        if head > 1024, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }

    /// Whether the session `id` has ended (within the retention).
    public func contains(_ id: [UInt8], now: TURNInstant) -> Bool {
        guard let until = until[id] else { return false }
        return now < until
    }
}
