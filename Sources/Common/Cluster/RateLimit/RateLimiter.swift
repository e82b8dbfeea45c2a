import Dispatch
import Synchronization

/// Rate limits per client address and per token (issue 15, item 4): GCRA buckets in Redis when
/// the node has a mesh and Redis answers, local buckets otherwise (no Redis configured, Redis
/// away, or a call that failed on the connection). Every key is checked; the first one over
/// its limit refuses the request.
public final class RateLimiter: Sendable {
    /// The limits per request class.
    public let limits: RateLimits
    private let redis: RedisRateBuckets?
    private let local: LocalRateBuckets
    private let counts = Mutex(Counts())

    /// What the limiter did, for `/metrics`.
    public struct Counts: Sendable, Equatable {
        /// Requests refused, by class and by which bucket refused them (`address`, `token`).
        public var refused: [String: Int] = [:]
        /// Buckets taken locally because Redis was away or failed the call.
        public var local = 0
    }

    /// The counts so far.
    public var snapshot: Counts { counts.withLock { $0 } }

    /// A limiter with `limits`, sharing its buckets through `redis` when given.
    public init(limits: RateLimits, redis: RedisClient? = nil, local: LocalRateBuckets = LocalRateBuckets()) {
        self.limits = limits
        self.redis = redis.map(RedisRateBuckets.init)
        self.local = local
    }

    /// A request class, with its topology name.
    public enum RequestClass: String, Sendable, CaseIterable {
        case whip, whep, patch, api
    }

    /// The limits of `kind`.
    public func limits(for kind: RequestClass) -> RateLimitPair {
        switch kind {
        case .whip: limits.whip
        case .whep: limits.whep
        case .patch: limits.patch
        case .api: limits.api
        }
    }

    /// Takes one request of `kind` from the bucket of `address` and, when given, of `token` (a
    /// digest, never the token): `nil` when both allow it, else the wait in µs of the first that
    /// does not.
    public func take(_ kind: RequestClass, address: String, token: String?) async -> Int64? {
        let pair = limits(for: kind)
        // The hash tag is the whole bucket: any Redis Cluster slot will do.
        if let wait = await take("ratelimit:{\(kind.rawValue):addr:\(address)}", limit: pair.address) {
            counts.withLock { $0.refused["\(kind.rawValue)/address", default: 0] += 1 }
            return wait
        }
        guard let token, let wait = await take("ratelimit:{\(kind.rawValue):token:\(token)}", limit: pair.token)
        else { return nil }
        counts.withLock { $0.refused["\(kind.rawValue)/token", default: 0] += 1 }
        return wait
    }

    private func take(_ bucket: String, limit: RateLimit) async -> Int64? {
        if let redis, redis.client.isAvailable {
            do {
                return try await redis.take(bucket, limit: limit)
            } catch {
                // Redis went away during the call: this request is counted locally instead.
            }
        }
        counts.withLock { $0.local += 1 }
        return local.take(bucket, limit: limit, now: Int64(DispatchTime.now().uptimeNanoseconds / 1000))
    }
}
