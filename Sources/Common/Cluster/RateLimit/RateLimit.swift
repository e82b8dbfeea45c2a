/// One request rate: `requests` per `periodSeconds`, with bursts of up to `burst` requests at
/// once. Written in a topology as `10/s burst 20`, `600/min` or `100/h burst 5` (without
/// `burst`, a burst is one period's worth).
public struct RateLimit: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Requests allowed per period.
    public var requests: Int
    /// The period in seconds: 1 (`/s`), 60 (`/min`) or 3600 (`/h`).
    public var periodSeconds: Int
    /// Requests that may arrive at once after a quiet spell.
    public var burst: Int

    /// The largest count accepted for `requests` and `burst`.
    public static let maximumCount = 1_000_000

    /// A limit from its parts.
    public init(requests: Int, periodSeconds: Int, burst: Int) {
        self.requests = requests
        self.periodSeconds = periodSeconds
        self.burst = burst
    }

    /// Reads `<n>/s|/min|/h [burst <b>]`; `nil` when the text is anything else, a count is
    /// outside 1...``maximumCount``.
    public init?(text: String) {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 1 || (words.count == 3 && words[1] == "burst") else { return nil }
        let rate = words[0].split(separator: "/", omittingEmptySubsequences: false)
        guard rate.count == 2, let requests = Self.count(rate[0]) else { return nil }
        switch rate[1] {
        case "s": periodSeconds = 1
        case "min": periodSeconds = 60
        case "h": periodSeconds = 3600
        default: return nil
        }
        self.requests = requests
        if words.count == 3 {
            guard let burst = Self.count(words[2]) else { return nil }
            self.burst = burst
        } else {
            burst = requests
        }
    }

    /// The grammar, for error messages.
    public static let grammar = "'<count>/s', '/min' or '/h', optionally followed by 'burst <count>' (counts 1-1000000)"

    /// Microseconds between two requests at the steady rate (the GCRA emission interval).
    public var intervalMicroseconds: Int64 {
        max(1, Int64(periodSeconds) * 1_000_000 / Int64(requests))
    }

    public var description: String {
        let unit = periodSeconds == 1 ? "s" : periodSeconds == 60 ? "min" : "h"
        return "\(requests)/\(unit) burst \(burst)"
    }

    private static func count(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.allSatisfy(\.isASCII), let value = Int(text), (1...maximumCount).contains(value)
        else { return nil }
        return value
    }
}

/// The two limits of one request class: per client address and per token. They differ because
/// a view token is often shared by every viewer of a stream (a page embeds it), so its bucket
/// must hold a whole audience's joins, while one address is one client or one NAT.
public struct RateLimitPair: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Per client address.
    public var address: RateLimit
    /// Per token.
    public var token: RateLimit

    /// A pair from its limits.
    public init(address: RateLimit, token: RateLimit) {
        self.address = address
        self.token = token
    }

    /// One limit for both.
    public init(both limit: RateLimit) {
        self.init(address: limit, token: limit)
    }

    public var description: String {
        address == token ? "\(address)" : "address \(address), token \(token)"
    }
}

/// The request classes rate-limited per client address and per token (issue 15, item 4), as
/// `policies.rate_limits` in a topology; a class takes one rate for both or a mapping:
///
/// ```yaml
/// policies:
///   rate_limits:
///     whip: 2/s burst 10
///     whep: {address: 100/s burst 200, token: 500/s burst 2000}
/// ```
///
/// Classes left out keep their defaults, which leave room for honest clients and load tests: a
/// publisher posts once per (re)connection; one address may be an office NAT or a load generator
/// starting a hundred players a second; a view token is shared by a stream's whole audience;
/// trickle ICE sends a PATCH per candidate batch. They stop floods, not busy moments.
public struct RateLimits: Sendable, Equatable, Codable {
    /// `POST /whip/{stream}`.
    public var whip: RateLimitPair
    /// `POST /whep/{stream}`.
    public var whep: RateLimitPair
    /// `PATCH` (trickle ICE, ICE restarts) and `DELETE` on session resources.
    public var patch: RateLimitPair
    /// `/v1/...`: the stream list, stream declarations and the operator API.
    public var api: RateLimitPair

    /// The defaults, or the given limits.
    public init(
        whip: RateLimitPair = RateLimitPair(both: RateLimit(requests: 5, periodSeconds: 1, burst: 20)),
        whep: RateLimitPair = RateLimitPair(
            address: RateLimit(requests: 100, periodSeconds: 1, burst: 200),
            token: RateLimit(requests: 500, periodSeconds: 1, burst: 2000)),
        patch: RateLimitPair = RateLimitPair(
            address: RateLimit(requests: 200, periodSeconds: 1, burst: 400),
            token: RateLimit(requests: 2000, periodSeconds: 1, burst: 4000)),
        api: RateLimitPair = RateLimitPair(both: RateLimit(requests: 50, periodSeconds: 1, burst: 100))
    ) {
        self.whip = whip
        self.whep = whep
        self.patch = patch
        self.api = api
    }

    /// The topology keys, in order.
    public static let keys = ["whip", "whep", "patch", "api"]
}
