import Synchronization

/// Revoked token ids (`jti`, RFC 7519 §4.1.7), each kept until the token would have expired
/// anyway (issue 15, item 3).
///
/// The list lives in Redis as one sorted set, `{tokens}:revoked` (member: the jti, score: the
/// token's `exp`), beside a counter `{tokens}:revoked:version` bumped by every revocation; both
/// keys share the `{tokens}` hash tag. A sorted set scored by expiry does what a TTL per key
/// would, and lets every node copy the whole list in one call. Each node checks tokens against
/// a local copy (``isRevoked(_:now:)`` takes no lock across I/O and never waits on Redis) that
/// ``refresh(now:)`` brings up to date: it reads the counter and, only when it moved, the set.
/// ``run(every:)`` refreshes every 250 ms, so a revocation is honoured on every node within
/// about a quarter second plus one Redis round trip. While Redis is away the copy is kept:
/// tokens revoked before the outage stay refused, and a revocation cannot be made (it throws).
/// A Redis that comes back empty does not empty the copies either: a node that saw a
/// revocation keeps it until the token expires (a node started after such a loss does not).
///
/// Without Redis (a single node), revocations live in this process only, which is then every
/// node there is.
public final class TokenRevocations: Sendable {
    /// The sorted set of revoked jtis scored by expiry.
    public static let setKey = "{tokens}:revoked"
    /// The counter every revocation bumps.
    public static let versionKey = "{tokens}:revoked:version"

    private struct Copy {
        var expiries: [String: Int64] = [:]
        var version: String?
        var refreshes = 0
    }

    /// The mesh's Redis, when there is one.
    public let redis: RedisClient?
    private let copy = Mutex(Copy())

    /// A revocation list shared through `redis`, or local to this process without it.
    public init(redis: RedisClient?) {
        self.redis = redis
    }

    /// Whether the token `jti` was revoked and would still be valid at `now` (seconds since 1970).
    public func isRevoked(_ jti: String, now: Int64) -> Bool {
        copy.withLock { copy in copy.expiries[jti].map { $0 > now } ?? false }
    }

    /// How many revocations the local copy holds (expired ones included until the next refresh).
    public var count: Int { copy.withLock { $0.expiries.count } }

    /// Revokes `jti` until `expiresAt` (the token's `exp`); with Redis, everywhere, and
    /// throws when Redis cannot take it. Entries already past their expiry are pruned.
    public func revoke(_ jti: String, expiresAt: Int64, now: Int64) async throws(RedisError) {
        if let redis {
            let replies = try await redis.pipeline([
                ["ZADD", Self.setKey, String(expiresAt), jti],
                ["ZREMRANGEBYSCORE", Self.setKey, "-inf", "(\(now)"],
                // Last, so that a node that sees the new version also sees the new member.
                ["INCR", Self.versionKey],
            ])
            for reply in replies {
                if case .error(let text) = reply { throw .server(text) }
            }
        }
        copy.withLock { $0.expiries[jti] = max($0.expiries[jti] ?? 0, expiresAt) }
    }

    /// Brings the local copy up to date with Redis: the version counter on every call, the set
    /// when the counter moved (or every 40th call, in case Redis restarted empty and counted
    /// back up to the same value). Without Redis it only prunes expired entries.
    public func refresh(now: Int64) async throws(RedisError) {
        guard let redis else {
            copy.withLock { $0.expiries = $0.expiries.filter { $0.value > now } }
            return
        }
        let version = try await redis.command(["GET", Self.versionKey]).string
        let stale = copy.withLock { copy in
            copy.refreshes += 1
            return copy.version != version || copy.refreshes % 40 == 0
        }
        guard stale else { return }
        let reply = try await redis.command(["ZRANGEBYSCORE", Self.setKey, "(\(now)", "+inf", "WITHSCORES"])
        guard let elements = reply.array, elements.count % 2 == 0 else {
            throw .unexpectedReply("ZRANGEBYSCORE WITHSCORES did not return member/score pairs")
        }
        var expiries: [String: Int64] = [:]
        for index in stride(from: 0, to: elements.count, by: 2) {
            guard let jti = elements[index].string, let score = elements[index + 1].string.flatMap(Double.init)
            else { continue }
            expiries[jti] = Int64(score)
        }
        copy.withLock { copy in
            // A union, not a replacement: nothing un-revokes a token, so an entry missing from
            // Redis (a Redis that restarted empty, or failed over and lost the last writes) is
            // kept here until its token expires.
            copy.expiries = copy.expiries.filter { $0.value > now }.merging(expiries, uniquingKeysWith: max)
            copy.version = version
        }
    }

    /// Refreshes every `interval` until the task is cancelled; a failed refresh keeps the copy
    /// and tries again next time.
    public func run(every interval: Duration = .milliseconds(250), clock: () -> Int64) async {
        while !Task.isCancelled {
            try? await refresh(now: clock())
            try? await Task.sleep(for: interval)
        }
    }
}
