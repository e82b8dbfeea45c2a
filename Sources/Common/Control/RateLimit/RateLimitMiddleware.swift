import Hummingbird
import MeshCluster
import MeshCrypto

/// Refuses requests over their class's rate (``RateLimiter``) with `429 Too Many Requests`
/// (RFC 6585 §4) and `Retry-After` in whole seconds, rounded up; ``CORSHeaders`` (added before
/// it, so outside it) exposes that header to pages. Counted per client address and, when the
/// request carries one, per token: a flood from one address is refused while others are served,
/// and one token shared out to many addresses is refused too.
///
/// The client address is the TCP peer, or the first `X-Forwarded-For` entry when the peer is
/// one of `trustedProxies`, as placement reads it (`RegionResolver`); a client elsewhere cannot
/// dodge its limit by forging the header. Tokens are counted by a digest, never stored.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = ControlRequestContext

    let limiter: RateLimiter
    let trustedProxies: [IPNetwork]

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let kind = Self.requestClass(method: request.method, path: request.uri.path) else {
            return try await next(request, context)
        }
        let wait = await limiter.take(
            kind, address: clientAddress(request, context), token: Self.token(request).map(Self.digest))
        guard let wait else { return try await next(request, context) }
        let seconds = GCRA.retryAfterSeconds(microseconds: wait)
        return Responses.text(
            .tooManyRequests,
            "too many \(kind.rawValue) requests (limit \(limiter.limits(for: kind))): retry in \(seconds) s",
            headers: [.retryAfter: String(seconds)])
    }

    /// The class a request is limited in, or `nil` for what is never limited: probes, metrics,
    /// pages, preflights and the internal API (signed by the cluster secret, one use per nonce).
    static func requestClass(method: HTTPRequest.Method, path: String) -> RateLimiter.RequestClass? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard let first = segments.first else { return nil }
        switch (first, segments.count, method) {
        case ("whip", 2, .post): return .whip
        case ("whep", 2, .post): return .whep
        case ("whip", 3, .patch), ("whep", 3, .patch), ("whip", 3, .delete), ("whep", 3, .delete): return .patch
        case ("v1", _, _) where method != .options: return .api
        default: return nil
        }
    }

    private func clientAddress(_ request: Request, _ context: Context) -> String {
        guard let peerText = context.remoteAddress?.ipAddress else { return "unknown" }
        guard let peer = IPAddressValue(text: peerText) else { return peerText }
        if let header = request.headers[.xForwardedFor], trustedProxies.contains(where: { $0.contains(peer) }),
            let first = header.split(separator: ",", maxSplits: 1).first,
            let forwarded = IPAddressValue(text: first.trimmingWhitespace())
        {
            return forwarded.description
        }
        return peer.description
    }

    /// The Bearer token, or the `access_token` a placement redirect carries (RFC 6750 §2.3).
    private static func token(_ request: Request) -> String? {
        if let header = BearerAuthorization.bearerToken(request.headers[.authorization]) { return header }
        return request.uri.queryParameters["access_token"].flatMap { $0.isEmpty ? nil : String($0) }
    }

    /// The first 16 bytes of the token's SHA-256, in hex.
    private static func digest(_ token: String) -> String {
        var output = [UInt8](repeating: 0, count: Digest.Algorithm.sha256.size)
        let bytes = Array(token.utf8)
        do {
            try bytes.withUnsafeBytes { message in
                try output.withUnsafeMutableBytes { try Digest.hash(.sha256, message, into: $0) }
            }
        } catch {
            // OpenSSL failing to hash is not the client's doing: count the token by its length.
            return "unhashed-\(bytes.count)"
        }
        return output.prefix(16).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

extension RateLimiter {
    /// `meshcast_rate_limited_total{class,by}` (every class and bucket kind from the first
    /// scrape) and `meshcast_rate_limit_local_total` (requests counted without Redis).
    func prometheusText() -> String {
        let counts = snapshot
        var text =
            "# HELP meshcast_rate_limited_total Requests answered 429, by class and by the bucket that refused.\n"
        text += "# TYPE meshcast_rate_limited_total counter\n"
        for kind in RequestClass.allCases {
            for bucket in ["address", "token"] {
                let value = counts.refused["\(kind.rawValue)/\(bucket)", default: 0]
                text += "meshcast_rate_limited_total{class=\"\(kind.rawValue)\",by=\"\(bucket)\"} \(value)\n"
            }
        }
        text +=
            "# HELP meshcast_rate_limit_local_total Rate limit buckets taken in this process (Redis away or absent).\n"
        text += "# TYPE meshcast_rate_limit_local_total counter\n"
        text += "meshcast_rate_limit_local_total \(counts.local)\n"
        return text
    }
}
