import Synchronization

/// GCRA buckets in this process, for while Redis is away: each node then limits on its own,
/// which is looser across the mesh but never unlimited. Bounded: at ``capacity`` keys, expired
/// ones are dropped; if none has expired, the oldest TATs go first (a forgotten bucket starts
/// full again, the cost of not running out of memory under a flood of addresses).
public final class LocalRateBuckets: Sendable {
    private let buckets = Mutex<[String: Int64]>([:])
    /// The most keys kept.
    public let capacity: Int

    /// Empty buckets, at most `capacity` keys.
    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// Takes one request from `bucket` under `limit` at `now` (µs, any monotonic clock): `nil`
    /// when allowed, else the wait in µs.
    public func take(_ bucket: String, limit: RateLimit, now: Int64) -> Int64? {
        buckets.withLock { buckets in
            switch GCRA.decide(stored: buckets[bucket], now: now, limit: limit) {
            case .limited(let wait):
                return wait
            case .allowed(let tat):
                if buckets[bucket] == nil && buckets.count >= capacity { Self.prune(&buckets, now: now, to: capacity) }
                buckets[bucket] = tat
                return nil
            }
        }
    }

    /// How many keys are kept now.
    public var count: Int { buckets.withLock { $0.count } }

    private static func prune(_ buckets: inout [String: Int64], now: Int64, to capacity: Int) {
        buckets = buckets.filter { $0.value > now }
        guard buckets.count >= capacity else { return }
        let keep = buckets.sorted { $0.value > $1.value }.prefix(capacity * 3 / 4)
        buckets = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
    }
}
