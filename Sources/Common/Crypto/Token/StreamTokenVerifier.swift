#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Checks stream tokens against the mesh's secret, the requested stream and action, and the time.
public struct StreamTokenVerifier: Sendable {
    private let secret: [UInt8]

    /// Creates a verifier for tokens signed with `secret`.
    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// Returns the token's claims if it is a well-formed HS256 JWT signed with this secret,
    /// not expired at `now`, and grants `action` on `stream` (or, with `orOperator`, is an
    /// ``StreamAction/operator`` token for `stream`).
    ///
    /// Checks run in this order, so the error names the first problem: structure and `alg`,
    /// signature, claims, `exp`, stream, action.
    public func verify(
        _ token: String, stream: String, action: StreamAction, orOperator: Bool = false, now: Date = Date()
    ) throws(TokenError) -> StreamToken {
        let payload = try CompactHS256.verifiedPayload(token, secret: secret)
        let claims = try Self.claims(payload)
        // RFC 7519 §4.1.4: the current time must be before exp.
        guard now.timeIntervalSince1970 < Double(claims.expiresAt) else { throw .expired }
        guard claims.stream == StreamToken.anyStream || claims.stream == stream else { throw .wrongStream }
        guard claims.action == action || (orOperator && claims.action == .operator) else { throw .wrongAction }
        return claims
    }

    private static func claims(_ payload: [UInt8]) throws(TokenError) -> StreamToken {
        let claims: StreamToken.Claims
        do {
            claims = try JSONDecoder().decode(StreamToken.Claims.self, from: Data(payload))
        } catch {
            throw .malformed("claims need a string stream and action and a numeric exp (RFC 7519 §4.1.4)")
        }
        guard let action = StreamAction(rawValue: claims.action) else {
            // The claim is the client's text: echo a little of it, not up to 4 KiB.
            throw .malformed("action must be publish, view or operator, not \(claims.action.prefix(32))")
        }
        guard let expiresAt = whole(claims.exp), let issuedAt = whole(claims.iat ?? 0) else {
            throw .malformed("exp and iat must be NumericDates (RFC 7519 §2)")
        }
        return StreamToken(stream: claims.stream, action: action, expiresAt: expiresAt, issuedAt: issuedAt)
    }

    /// A NumericDate rounded down to whole seconds; `nil` when not finite or out of range.
    private static func whole(_ seconds: Double) -> Int64? {
        guard seconds.isFinite, abs(seconds) < 1e15 else { return nil }
        return Int64(seconds.rounded(.down))
    }
}
