/// The generic cell rate algorithm (ITU-T I.371, the "virtual scheduling" form): one number per
/// key, the theoretical arrival time (TAT) of the next request at the steady rate. A request is
/// allowed when it comes no earlier than `TAT - burst × interval` after the previous TAT is
/// advanced by one interval; each allowed request moves the TAT on by one interval. So `burst`
/// requests pass at once after a quiet spell, then one per interval.
///
/// This is the arithmetic the Redis script (``RedisRateBuckets``) runs on Redis's clock and the
/// local buckets (while Redis is away) run on this process's: tests check both agree.
public enum GCRA {
    /// The verdict on one request.
    public enum Verdict: Sendable, Equatable {
        /// Allowed; store `tat` for the key until `tat` has passed.
        case allowed(tat: Int64)
        /// Over the limit: the same request would be allowed after this many microseconds.
        case limited(retryAfterMicroseconds: Int64)
    }

    /// The verdict on a request at `now` (µs) for a key whose stored TAT is `stored` (`nil`: new
    /// or expired) under `limit`.
    public static func decide(stored: Int64?, now: Int64, limit: RateLimit) -> Verdict {
        let interval = limit.intervalMicroseconds
        let tat = max(stored ?? now, now) + interval
        let allowedFrom = tat - Int64(limit.burst) * interval
        if now < allowedFrom { return .limited(retryAfterMicroseconds: allowedFrom - now) }
        return .allowed(tat: tat)
    }

    /// `Retry-After` in whole seconds, rounded up and at least 1 (RFC 9110 §10.2.3 takes
    /// integers only; 0 would invite an immediate retry that is refused again).
    public static func retryAfterSeconds(microseconds: Int64) -> Int {
        max(1, Int((microseconds + 999_999) / 1_000_000))
    }
}
